import type { QueryEditorProps } from '@grafana/data';
import { Stack, Text } from '@grafana/ui';
import React, { useMemo } from 'react';

import { withErrorBoundary } from 'components/ErrorBoundary';
import { selectors } from 'components/selectors';
import { SqlEditor } from 'components/sqlEditor/SqlEditor';
import type { DataSource } from 'data/datasource';
import { labels } from 'labels';
import type { TsDataSourceOptions } from 'types/config';
import { type TsQuery, type TsSqlQuery } from 'types/query';

export type AnnotationQueryEditorProps = QueryEditorProps<DataSource, TsQuery, TsDataSourceOptions>;

/** Annotations are always SQL: one row per event (time, timeEnd, text, tags). */
const AnnotationQueryEditorView = ({ datasource, query, onChange, onRunQuery }: AnnotationQueryEditorProps) => {
  const sqlQuery: TsSqlQuery = useMemo(
    () => ({
      ...query,
      refId: query?.refId || 'Anno',
      mode: 'sql',
      format: 'table',
      rawSql: query?.mode === 'sql' ? query.rawSql : labels.annotationEditor.example,
    }),
    [query]
  );
  return (
    <Stack direction="column" gap={1} data-testid={selectors.annotationEditor.root}>
      <Text variant="bodySmall" color="secondary">
        {labels.annotationEditor.hint}
      </Text>
      <SqlEditor
        datasource={datasource}
        testId={selectors.annotationEditor.sql}
        value={sqlQuery.rawSql}
        height={150}
        onChange={(rawSql) => onChange({ ...sqlQuery, rawSql })}
        onRunQuery={onRunQuery}
      />
    </Stack>
  );
};

export const AnnotationQueryEditor = withErrorBoundary(AnnotationQueryEditorView, 'AnnotationQueryEditor');
