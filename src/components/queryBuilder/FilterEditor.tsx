import type { SelectableValue } from '@grafana/data';
import { AsyncMultiSelect, AsyncSelect, Button, IconButton, Select, Stack } from '@grafana/ui';
import React, { useCallback } from 'react';
import type { CatalogColumn, Filter } from 'timescaledb-gateway/contract';

import { selectors } from 'components/selectors';
import type { DataSource } from 'data/datasource';
import type { BuilderAction } from 'hooks/useBuilderState';
import { labels } from 'labels';
import { FilterOperator } from 'types/query';

import { coerceFilterValue, isListOperator, isUnaryOperator, valueAsList } from './filterValues';
import { columnOptions, withCurrent } from './options';

export interface FilterEditorProps {
  datasource: DataSource;
  table: string;
  filters: Filter[];
  columns: CatalogColumn[];
  dispatch: (action: BuilderAction) => void;
}

const operatorOptions: Array<SelectableValue<FilterOperator>> = Object.values(FilterOperator).map((value) => ({ value, label: value }));

const toOption = (value: string): SelectableValue<string> => ({ label: value, value });

interface FilterRowProps extends Omit<FilterEditorProps, 'filters'> {
  filter: Filter;
  index: number;
}

const FilterRow = ({ datasource, table, filter, index, columns, dispatch }: FilterRowProps) => {
  const column = columns.find((c) => c.name === filter.column);
  // Values are suggested from the gateway's values endpoint, narrowed by what is typed.
  const loadValues = useCallback(
    async (search: string) => {
      if (!table || !filter.column) {
        return [];
      }
      const response = await datasource.client.values(table, filter.column, search || undefined, 100).catch(() => undefined);
      return (response?.values ?? []).map((v) => toOption(String(v)));
    },
    [datasource, table, filter.column]
  );
  const update = (patch: Partial<Filter>) => dispatch({ type: 'updateFilter', index, filter: patch });
  const values = valueAsList(filter.value);

  return (
    <Stack gap={1} alignItems="center" data-testid={selectors.builder.filterRow}>
      <div data-testid={selectors.builder.filterColumn}>
        <Select
          aria-label={labels.builder.filters.column}
          options={withCurrent(columnOptions(columns, (c) => c.kind !== 'json'), filter.column)}
          value={filter.column || null}
          allowCustomValue
          width={24}
          onChange={(o) => update({ column: o?.value ?? '' })}
        />
      </div>
      <div data-testid={selectors.builder.filterOp}>
        <Select
          aria-label={labels.builder.filters.operator}
          options={operatorOptions}
          value={filter.op}
          width={14}
          onChange={(o) => {
            const op = o.value!;
            const value = isListOperator(op) ? values.map((v) => coerceFilterValue(v, column)) : values[0] !== undefined ? coerceFilterValue(values[0], column) : '';
            update({ op, value });
          }}
        />
      </div>
      {!isUnaryOperator(filter.op) && (
        <div data-testid={selectors.builder.filterValue}>
          {isListOperator(filter.op) ? (
            <AsyncMultiSelect
              key={`${table}.${filter.column}`}
              aria-label={labels.builder.filters.value}
              loadOptions={loadValues}
              defaultOptions
              allowCustomValue
              value={values.map(toOption)}
              width={36}
              onChange={(options: Array<SelectableValue<string>>) => update({ value: options.map((o) => coerceFilterValue(o.value ?? '', column)) })}
            />
          ) : (
            <AsyncSelect
              key={`${table}.${filter.column}`}
              aria-label={labels.builder.filters.value}
              loadOptions={loadValues}
              defaultOptions
              allowCustomValue
              value={values[0] !== undefined ? toOption(values[0]) : null}
              width={24}
              onChange={(o: SelectableValue<string>) => update({ value: coerceFilterValue(o?.value ?? '', column) })}
            />
          )}
        </div>
      )}
      <IconButton name="trash-alt" data-testid={selectors.builder.filterRemove} tooltip={labels.builder.filters.remove} onClick={() => dispatch({ type: 'removeFilter', index })} />
    </Stack>
  );
};

/** WHERE conditions; values are sent as bound parameters, never as SQL text. */
export const FilterEditor = ({ filters, ...rest }: FilterEditorProps) => (
  <Stack direction="column" gap={1} data-testid={selectors.builder.filters}>
    {filters.map((filter, index) => (
      <FilterRow key={index} filter={filter} index={index} {...rest} />
    ))}
    <div>
      <Button variant="secondary" size="sm" icon="plus" data-testid={selectors.builder.filterAdd} onClick={() => rest.dispatch({ type: 'addFilter' })}>
        {labels.builder.filters.add}
      </Button>
    </div>
  </Stack>
);
