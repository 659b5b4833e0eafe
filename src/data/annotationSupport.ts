import type { AnnotationQuery, AnnotationSupport } from '@grafana/data';
import { of } from 'rxjs';

import { EditorMode, QueryFormat, type TsQuery } from 'types/query';
import { AnnotationQueryEditor } from 'views/AnnotationQueryEditor';

import { framesToAnnotations } from './annotations';

type LegacyAnnotation = AnnotationQuery<TsQuery> & { rawQuery?: string };

/** Annotations are SQL queries returning time, timeEnd, text and tags. */
export const createAnnotationSupport = (): AnnotationSupport<TsQuery> => ({
  QueryEditor: AnnotationQueryEditor,
  prepareAnnotation: (json: LegacyAnnotation) => {
    if (json.target || typeof json.rawQuery !== 'string') {
      return json;
    }
    // Annotations saved by SQL data sources keep their SQL at the top level.
    const { rawQuery, ...rest } = json;
    return { ...rest, target: { refId: 'Anno', mode: EditorMode.SQL, format: QueryFormat.Table, rawSql: rawQuery } };
  },
  prepareQuery: (annotation) =>
    annotation.target ? { ...annotation.target, refId: annotation.target.refId || 'Anno', format: QueryFormat.Table } : undefined,
  processEvents: (_annotation, frames) => of(framesToAnnotations(frames)),
});
