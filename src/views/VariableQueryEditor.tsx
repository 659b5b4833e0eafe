import type { QueryEditorProps } from '@grafana/data';
import { Combobox, Field, Input, RadioButtonGroup, Stack, Text } from '@grafana/ui';
import React, { useMemo } from 'react';

import { withErrorBoundary } from 'components/ErrorBoundary';
import { LabelledPicker } from 'components/LabelledPicker';
import { columnKinds, currentOption } from 'components/queryBuilder/options';
import { selectors } from 'components/selectors';
import { SqlEditor } from 'components/sqlEditor/SqlEditor';
import type { DataSource } from 'data/datasource';
import { migrateVariableQuery } from 'data/migrations';
import { useColumnOptions, useTableOptions } from 'hooks/useCatalogOptions';
import { labels } from 'labels';
import type { TsDataSourceOptions } from 'types/config';
import type { TsQuery } from 'types/query';
import { VariableQueryMode, type TsVariableQuery, type ValuesVariableQuery } from 'types/variables';

export type VariableQueryEditorProps = QueryEditorProps<DataSource, TsQuery, TsDataSourceOptions, TsVariableQuery>;

const modeOptions = Object.values(VariableQueryMode).map((value) => ({
  value,
  label: labels.variableEditor.mode.options[value],
}));

const ValuesEditor = ({
  datasource,
  query,
  onChange,
}: {
  datasource: DataSource;
  query: ValuesVariableQuery;
  onChange: (q: TsVariableQuery) => void;
}) => {
  const loadTables = useTableOptions(datasource);
  const loadColumns = useColumnOptions(datasource, query.table, columnKinds.any);
  return (
    <Stack direction="column" gap={0}>
      <Field label={labels.variableEditor.table}>
        <LabelledPicker testId={selectors.variableEditor.table} label={labels.variableEditor.table}>
          {(labelId) => (
            <Combobox
              aria-labelledby={labelId}
              options={loadTables}
              value={currentOption(query.table)}
              createCustomValue
              width={40}
              onChange={(option) => onChange({ ...query, table: option.value, column: '' })}
            />
          )}
        </LabelledPicker>
      </Field>
      <Field label={labels.variableEditor.column}>
        <LabelledPicker testId={selectors.variableEditor.column} label={labels.variableEditor.column}>
          {(labelId) => (
            <Combobox
              key={query.table}
              aria-labelledby={labelId}
              options={loadColumns}
              value={currentOption(query.column)}
              createCustomValue
              width={40}
              onChange={(option) => onChange({ ...query, column: option.value })}
            />
          )}
        </LabelledPicker>
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
          <RadioButtonGroup
            aria-label={labels.variableEditor.mode.label}
            options={modeOptions}
            value={query.mode}
            onChange={onModeChange}
          />
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
