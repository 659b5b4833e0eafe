import type { AnnotationQuery } from '@grafana/data';

import { type TsQuery } from 'types/query';

import { createAnnotationSupport } from './annotationSupport';

jest.mock('views/AnnotationQueryEditor', () => ({ AnnotationQueryEditor: () => null }));

describe('annotation support', () => {
  it('leaves frames to Grafana’s standard processing, so its field mappings apply', () => {
    expect(createAnnotationSupport().processEvents).toBeUndefined();
  });

  it('runs the annotation’s SQL as a table', () => {
    const annotation = {
      name: 'a',
      enable: true,
      iconColor: 'red',
      target: { refId: '', mode: 'sql', rawSql: 'SELECT 1' },
    } as AnnotationQuery<TsQuery>;
    expect(createAnnotationSupport().prepareQuery!(annotation)).toEqual({
      refId: 'Anno',
      mode: 'sql',
      rawSql: 'SELECT 1',
      format: 'table',
    });
  });

  it('reads annotations saved by Grafana’s SQL data sources (SQL in rawQuery)', () => {
    const legacy = {
      name: 'a',
      enable: true,
      iconColor: 'red',
      rawQuery: 'SELECT now() AS time',
    } as unknown as AnnotationQuery<TsQuery>;
    expect(createAnnotationSupport().prepareAnnotation!(legacy)).toMatchObject({
      target: { refId: 'Anno', mode: 'sql', format: 'table', rawSql: 'SELECT now() AS time' },
    });
  });
});
