import { Alert } from '@grafana/ui';
import { EditorField, EditorFieldGroup, EditorRow, EditorRows } from '@grafana/plugin-ui';
import React, { useEffect } from 'react';

import { selectors } from 'components/selectors';
import type { DataSource } from 'data/datasource';
import { useBuilderState } from 'hooks/useBuilderState';
import { useColumns } from 'hooks/useColumns';
import type { RenderedSqlState } from 'hooks/useRenderedSql';
import { useTables } from 'hooks/useTables';
import { labels } from 'labels';
import type { BuilderFields } from 'types/query';

import { BucketEditor } from './BucketEditor';
import { FillSelect } from './FillSelect';
import { FilterEditor } from './FilterEditor';
import { GroupByEditor } from './GroupByEditor';
import { LimitEditor } from './LimitEditor';
import { MetricsEditor } from './MetricsEditor';
import { QueryOptions } from './QueryOptions';
import { SqlPreview } from './SqlPreview';
import { TableSelect } from './TableSelect';
import { TimeColumnSelect } from './TimeColumnSelect';

export interface QueryBuilderProps {
  datasource: DataSource;
  fields: BuilderFields;
  onChange: (fields: BuilderFields) => void;
  /** The gateway's rendering of the query, for the SQL preview. */
  rendered: RenderedSqlState;
  executedSql?: string;
}

/** Only composes the builder's parts; the state lives in useBuilderState. */
export const QueryBuilder = ({ datasource, fields, onChange, rendered, executedSql }: QueryBuilderProps) => {
  const [state, dispatch] = useBuilderState(fields, onChange);
  const tables = useTables(datasource);
  const columnsState = useColumns(datasource, state.table);
  const columns = columnsState.value?.columns ?? [];
  const guessedTimeColumn = columnsState.value?.timeColumn;

  // Tables chosen before the catalog answered (or typed) get their time column once it is known.
  useEffect(() => {
    if (state.table && !state.timeColumn && guessedTimeColumn && columnsState.value?.table === state.table) {
      dispatch({ type: 'setTimeColumn', timeColumn: guessedTimeColumn });
    }
  }, [state.table, state.timeColumn, guessedTimeColumn, columnsState.value, dispatch]);

  return (
    <div data-testid={selectors.builder.root}>
      {tables.error && (
        <Alert severity="error" title={labels.builder.loadError}>
          {tables.error.message}
        </Alert>
      )}
      <EditorRows>
        <EditorRow>
          <EditorFieldGroup>
            <EditorField label={labels.builder.table.label} tooltip={labels.builder.table.tooltip}>
              <TableSelect
                datasource={datasource}
                value={state.table}
                // The picker lists the same cached catalog as `tables`, whose entry names the time column.
                onChange={(table) =>
                  dispatch({
                    type: 'setTable',
                    table,
                    timeColumn: tables.value?.find((t) => t.name === table)?.timeColumn ?? undefined,
                  })
                }
              />
            </EditorField>
            <EditorField label={labels.builder.timeColumn.label} tooltip={labels.builder.timeColumn.tooltip}>
              <TimeColumnSelect
                datasource={datasource}
                table={state.table}
                value={state.timeColumn}
                onChange={(timeColumn) => dispatch({ type: 'setTimeColumn', timeColumn })}
              />
            </EditorField>
          </EditorFieldGroup>
        </EditorRow>
        <EditorRow>
          <EditorField label={labels.builder.metrics.label}>
            <MetricsEditor datasource={datasource} table={state.table} metrics={state.metrics} dispatch={dispatch} />
          </EditorField>
        </EditorRow>
        <EditorRow>
          <EditorFieldGroup>
            <EditorField label={labels.builder.groupBy.label} tooltip={labels.builder.groupBy.tooltip}>
              <GroupByEditor
                datasource={datasource}
                table={state.table}
                groupBy={state.groupBy ?? []}
                onChange={(groupBy) => dispatch({ type: 'setGroupBy', groupBy })}
              />
            </EditorField>
            <EditorField label={labels.builder.bucket.label} tooltip={labels.builder.bucket.tooltip}>
              <BucketEditor bucket={state.bucket} onChange={(bucket) => dispatch({ type: 'setBucket', bucket })} />
            </EditorField>
            <EditorField label={labels.builder.fill.label} tooltip={labels.builder.fill.tooltip}>
              <FillSelect fill={state.fill as never} onChange={(fill) => dispatch({ type: 'setFill', fill })} />
            </EditorField>
            <EditorField label={labels.builder.limit.label}>
              <LimitEditor limit={state.limit} onChange={(limit) => dispatch({ type: 'setLimit', limit })} />
            </EditorField>
          </EditorFieldGroup>
        </EditorRow>
        <EditorRow>
          <EditorField label={labels.builder.filters.label}>
            <FilterEditor
              datasource={datasource}
              table={state.table}
              filters={state.filters ?? []}
              columns={columns}
              dispatch={dispatch}
            />
          </EditorField>
        </EditorRow>
        <EditorRow>
          <EditorField label={labels.builder.options.label}>
            <QueryOptions
              continuousAggregates={state.continuousAggregates !== false}
              allowExpensive={state.allowExpensive === true}
              onContinuousAggregatesChange={(enabled) => dispatch({ type: 'setContinuousAggregates', enabled })}
              onAllowExpensiveChange={(allowed) => dispatch({ type: 'setAllowExpensive', allowed })}
            />
          </EditorField>
        </EditorRow>
        <EditorRow>
          <EditorField label={labels.builder.preview.label} tooltip={labels.builder.preview.tooltip} width="100%">
            <SqlPreview rendered={rendered} executedSql={executedSql} />
          </EditorField>
        </EditorRow>
      </EditorRows>
    </div>
  );
};
