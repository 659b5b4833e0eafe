import type { QueryEditorProps } from '@grafana/data';
import { Field, Input, RadioButtonGroup, Select, Stack, Text } from '@grafana/ui';
import React, { useMemo } from 'react';

import { withErrorBoundary } from 'components/ErrorBoundary';
import { columnOptions, tableOptions, withCurrent } from 'components/queryBuilder/options';
import { selectors } from 'components/selectors';
import { SqlEditor } from 'components/sqlEditor/SqlEditor';
import type { DataSource } from 'data/datasource';
import { migrateVariableQuery } from 'data/migrations';
import { useColumns } from 'hooks/useColumns';
import { useTables } from 'hooks/useTables';
import { labels } from 'labels';
import type { TsDataSourceOptions } from 'types/config';
import type { TsQuery } from 'types/query';
import { VariableQueryMode, type TsVariableQuery, type ValuesVariableQuery } from 'types/variables';

export type VariableQueryEditorProps = QueryEditorProps<DataSource, TsQuery, TsDataSourceOptions, TsVariableQuery>;

const modeOptions = Object.values(VariableQueryMode).map((value) => ({ value, label: labels.variableEditor.mode.options[value] }));

const ValuesEditor = ({ datasource, query, onChange }: { datasource: DataSource; query: ValuesVariableQuery; onChange: (q: TsVariableQuery) => void }) => {
  const tables = useTables(datasource);
  const columns = useColumns(datasource, query.table);
  return (
    <Stack direction="column" gap={0}>
      <Field label={labels.variableEditor.table}>
        <div data-testid={selectors.variableEditor.table}>
          <Select
            aria-label={labels.variableEditor.table}
            options={withCurrent(tableOptions(tables.value ?? []), query.table)}
            isLoading={tables.loading}
            value={query.table || null}
            allowCustomValue
            width={40}
            onChange={(o) => onChange({ ...query, table: o?.value ?? '', column: '' })}
          />
        </div>
      </Field>
      <Field label={labels.variableEditor.column}>
        <div data-testid={selectors.variableEditor.column}>
          <Select
            aria-label={labels.variableEditor.column}
            options={withCurrent(columnOptions(columns.value?.columns ?? [], (c) => c.kind !== 'json'), query.column)}
            isLoading={columns.loading}
            value={query.column || null}
            allowCustomValue
            width={40}
            onChange={(o) => onChange({ ...query, column: o?.value ?? '' })}
          />
        </div>
      </Field>
      <Stack gap={2}>
        <Field label={labels.variableEditor.search.label}>
          <Input
            data-testid={selectors.variableEditor.search}
            aria-label={labels.variableEditor.search.label}
            placeholder={labels.variableEditor.search.placeholder}
            defaultValue={query.search ?? ''}
            width={30}
            onBlur={(e) => onChange({ ...query, search: e.currentTarget.value || undefined })}
          />
        </Field>
        <Field label={labels.variableEditor.limit.label}>
          <Input
            data-testid={selectors.variableEditor.limit}
            aria-label={labels.variableEditor.limit.label}
            type="number"
            min={1}
            placeholder={labels.variableEditor.limit.placeholder}
            defaultValue={query.limit ?? ''}
            width={12}
            onBlur={(e) => {
              const limit = Math.floor(Number(e.currentTarget.value));
              onChange({ ...query, limit: limit >= 1 ? limit : undefined });
            }}
          />
        </Field>
      </Stack>
    </Stack>
  );
};

/** A variable's options: a SQL statement or the distinct values of one column. */
const VariableQueryEditorView = ({ datasource, query: storedQuery, onChange }: VariableQueryEditorProps) => {
  const query = useMemo(() => migrateVariableQuery(storedQuery as TsVariableQuery | string), [storedQuery]);

  const onModeChange = (mode: VariableQueryMode) =>
    onChange(
      mode === VariableQueryMode.SQL
        ? { refId: query.refId, mode, rawSql: '' }
        : { refId: query.refId, mode, table: '', column: '' }
    );

  return (
    <Stack direction="column" gap={1} data-testid={selectors.variableEditor.root}>
      <Field label={labels.variableEditor.mode.label}>
        <div data-testid={selectors.variableEditor.mode}>
          <RadioButtonGroup options={modeOptions} value={query.mode} onChange={onModeChange} />
        </div>
      </Field>
      {query.mode === VariableQueryMode.SQL ? (
        <>
          <Text variant="bodySmall" color="secondary">
            {labels.variableEditor.sqlHint}
          </Text>
          <SqlEditor
            datasource={datasource}
            testId={selectors.variableEditor.sql}
            value={query.rawSql}
            height={120}
            onChange={(rawSql) => onChange({ ...query, rawSql })}
          />
        </>
      ) : (
        <ValuesEditor datasource={datasource} query={query} onChange={onChange} />
      )}
    </Stack>
  );
};

export const VariableQueryEditor = withErrorBoundary(VariableQueryEditorView, 'VariableQueryEditor');
