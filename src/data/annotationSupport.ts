import type { AnnotationQuery, AnnotationSupport } from '@grafana/data';

import { type TsQuery } from 'types/query';
import { AnnotationQueryEditor } from 'views/AnnotationQueryEditor';

type LegacyAnnotation = AnnotationQuery<TsQuery> & { rawQuery?: string };

/**
 * Annotations are SQL queries run as tables. There is no `processEvents`: Grafana's
 * standard processing (public/app/features/annotations/standardAnnotationSupport.ts,
 * getAnnotationsFromData) turns the frame into events, so the field mappings Grafana's
 * annotation editor shows (time, timeEnd, text, tags, id …) apply, as with its PostgreSQL
 * data source. Without mappings it takes the fields named time, timeEnd, text and tags
 * (else the first time and the first text field).
 */
export const createAnnotationSupport = (): AnnotationSupport<TsQuery> => ({
  QueryEditor: AnnotationQueryEditor,
  prepareAnnotation: (json: LegacyAnnotation) => {
    if (json.target || typeof json.rawQuery !== 'string') {
      return json;
    }
    // Annotations saved by SQL data sources keep their SQL at the top level.
    const { rawQuery, ...rest } = json;
    return { ...rest, target: { refId: 'Anno', mode: 'sql', format: 'table', rawSql: rawQuery } };
  },
  prepareQuery: (annotation) =>
    annotation.target ? { ...annotation.target, refId: annotation.target.refId || 'Anno', format: 'table' } : undefined,
});
