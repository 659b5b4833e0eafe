import { Button, Combobox, IconButton, MultiCombobox, Stack, type ComboboxOption } from '@grafana/ui';
import React, { useCallback } from 'react';
import type { CatalogColumn, Filter } from 'timescaledb-gateway/contract';

import { LabelledPicker } from 'components/LabelledPicker';
import { selectors } from 'components/selectors';
import type { DataSource } from 'data/datasource';
import { useColumnOptions } from 'hooks/useCatalogOptions';
import type { BuilderAction } from 'hooks/useBuilderState';
import { labels } from 'labels';
import { FILTER_OPERATORS } from 'timescaledb-gateway/contract/vocabulary';

import { coerceFilterValue, isListOperator, isUnaryOperator, valueAsList } from './filterValues';
import { columnKinds, currentOption, toOption } from './options';

export interface FilterEditorProps {
  datasource: DataSource;
  table: string;
  filters: Filter[];
  /** The table's columns, to give typed values the column's type. */
  columns: CatalogColumn[];
  dispatch: (action: BuilderAction) => void;
}

const operatorOptions: Array<ComboboxOption<Filter['op']>> = FILTER_OPERATORS.map((value) => ({ value, label: value }));

interface FilterRowProps extends Omit<FilterEditorProps, 'filters'> {
  filter: Filter;
  index: number;
}

const FilterRow = ({ datasource, table, filter, index, columns, dispatch }: FilterRowProps) => {
  const column = columns.find((c) => c.name === filter.column);
  const loadColumns = useColumnOptions(datasource, table, columnKinds.any);
  // Values are suggested from the gateway's values endpoint, narrowed by what is typed;
  // when it cannot list them (a variable as the column, an unsupported type) values are typed.
  const loadValues = useCallback(
    async (search: string): Promise<ComboboxOption[]> => {
      if (!table || !filter.column) {
        return [];
      }
      const response = await datasource.client
        .values(table, filter.column, search || undefined, 100)
        .catch(() => undefined);
      return (response?.values ?? []).map((v) => toOption(String(v)));
    },
    [datasource, table, filter.column]
  );
  const update = (patch: Partial<Filter>) => dispatch({ type: 'updateFilter', index, filter: patch });
  const values = valueAsList(filter.value);

  return (
    <Stack gap={1} alignItems="center" data-testid={selectors.builder.filterRow}>
      <LabelledPicker testId={selectors.builder.filterColumn} label={labels.builder.filters.column}>
        {(labelId) => (
          <Combobox
            key={table}
            aria-labelledby={labelId}
            options={loadColumns}
            value={currentOption(filter.column)}
            createCustomValue
            width={24}
            onChange={(option) => update({ column: option.value })}
          />
        )}
      </LabelledPicker>
      <LabelledPicker testId={selectors.builder.filterOp} label={labels.builder.filters.operator}>
        {(labelId) => (
          <Combobox
            aria-labelledby={labelId}
            options={operatorOptions}
            value={filter.op}
            width={14}
            onChange={({ value: op }) => {
              const value = isListOperator(op)
                ? values.map((v) => coerceFilterValue(v, column))
                : values[0] !== undefined
                  ? coerceFilterValue(values[0], column)
                  : '';
              update({ op, value });
            }}
          />
        )}
      </LabelledPicker>
      {!isUnaryOperator(filter.op) && (
        <LabelledPicker testId={selectors.builder.filterValue} label={labels.builder.filters.value}>
          {(labelId) =>
            isListOperator(filter.op) ? (
              <MultiCombobox
                key={`${table}.${filter.column}`}
                aria-labelledby={labelId}
                options={loadValues}
                value={values.map(toOption)}
                createCustomValue
                width={36}
                onChange={(options) => update({ value: options.map((o) => coerceFilterValue(o.value, column)) })}
              />
            ) : (
              <Combobox
                key={`${table}.${filter.column}`}
                aria-labelledby={labelId}
                options={loadValues}
                value={currentOption(values[0])}
                createCustomValue
                width={24}
                onChange={(option) => update({ value: coerceFilterValue(option.value, column) })}
              />
            )
          }
        </LabelledPicker>
      )}
      <IconButton
        name="trash-alt"
        data-testid={selectors.builder.filterRemove}
        tooltip={labels.builder.filters.remove}
        onClick={() => dispatch({ type: 'removeFilter', index })}
      />
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
      <Button
        variant="secondary"
        size="sm"
        icon="plus"
        data-testid={selectors.builder.filterAdd}
        onClick={() => rest.dispatch({ type: 'addFilter' })}
      >
        {labels.builder.filters.add}
      </Button>
    </div>
  </Stack>
);
