import type { QueryEditorProps } from '@grafana/data';
import { EditorHeader, FlexItem } from '@grafana/plugin-ui';
import { Button, ConfirmModal, RadioButtonGroup } from '@grafana/ui';
import React, { useCallback, useMemo, useState } from 'react';

import { withErrorBoundary } from 'components/ErrorBoundary';
import { LiveSwitch } from 'components/LiveSwitch';
import { FormatSelect } from 'components/queryBuilder/FormatSelect';
import { QueryBuilder } from 'components/queryBuilder/QueryBuilder';
import { selectors } from 'components/selectors';
import { SqlEditor } from 'components/sqlEditor/SqlEditor';
import { omitBuilderFields, pickBuilderFields } from 'data/builderFields';
import { renderBuilderSql } from 'data/builderSql';
import { isRunnable, type DataSource } from 'data/datasource';
import { migrateQuery } from 'data/migrations';
import { labels } from 'labels';
import type { TsDataSourceOptions } from 'types/config';
import { EditorMode, QueryFormat, type BuilderFields, type TsBuilderQuery, type TsQuery, type TsSqlQuery } from 'types/query';

export type QueryEditorViewProps = QueryEditorProps<DataSource, TsQuery, TsDataSourceOptions>;

const modeOptions = [
  { value: EditorMode.Builder, label: labels.queryEditor.modes.builder },
  { value: EditorMode.SQL, label: labels.queryEditor.modes.sql },
];

export const toSqlQuery = (query: TsBuilderQuery): TsSqlQuery => {
  const builder = pickBuilderFields(query);
  return {
    ...omitBuilderFields(query),
    mode: EditorMode.SQL,
    format: query.format ?? QueryFormat.TimeSeries,
    rawSql: renderBuilderSql(builder),
    builder,
  };
};

export const toBuilderQuery = (query: TsSqlQuery): TsBuilderQuery => {
  const { rawSql: _rawSql, builder, ...rest } = query;
  return { ...rest, ...pickBuilderFields(builder ?? {}), mode: EditorMode.Builder, format: query.format ?? QueryFormat.TimeSeries };
};

/** Going back to the builder loses SQL unless it is still exactly what the builder wrote. */
export const switchingLosesSql = (query: TsSqlQuery): boolean =>
  !!query.rawSql.trim() && query.rawSql.trim() !== renderBuilderSql(pickBuilderFields(query.builder ?? {})).trim();

const QueryEditorView = ({ datasource, query: storedQuery, onChange, onRunQuery, data }: QueryEditorViewProps) => {
  const query = useMemo(() => migrateQuery(storedQuery), [storedQuery]);
  const [confirmingSwitch, setConfirmingSwitch] = useState(false);
  const executedSql = data?.series.find((frame) => frame.refId === query.refId && frame.meta?.executedQueryString)?.meta
    ?.executedQueryString;

  const change = useCallback(
    (next: TsQuery, run: boolean) => {
      onChange(next);
      if (run && isRunnable(next)) {
        onRunQuery();
      }
    },
    [onChange, onRunQuery]
  );

  const onModeChange = (mode: EditorMode) => {
    if (mode === query.mode) {
      return;
    }
    if (query.mode === EditorMode.Builder) {
      change(toSqlQuery(query), false);
    } else if (switchingLosesSql(query)) {
      setConfirmingSwitch(true);
    } else {
      change(toBuilderQuery(query), true);
    }
  };

  const onBuilderChange = useCallback(
    (fields: BuilderFields) => {
      if (query.mode === EditorMode.Builder) {
        change({ ...query, ...fields }, true);
      }
    },
    [query, change]
  );

  return (
    <div data-testid={selectors.queryEditor.root}>
      <EditorHeader>
        <div data-testid={selectors.queryEditor.modeSwitch}>
          <RadioButtonGroup size="sm" aria-label={labels.queryEditor.modeLabel} options={modeOptions} value={query.mode} onChange={onModeChange} />
        </div>
        <FormatSelect format={query.format} onChange={(format) => change({ ...query, format }, true)} />
        <LiveSwitch live={!!query.live} onChange={(live) => change({ ...query, live }, true)} />
        <FlexItem grow={1} />
        <Button size="sm" variant="primary" icon="play" data-testid={selectors.queryEditor.runButton} onClick={onRunQuery}>
          {labels.queryEditor.run}
        </Button>
      </EditorHeader>
      {query.mode === EditorMode.Builder ? (
        <QueryBuilder datasource={datasource} fields={pickBuilderFields(query)} onChange={onBuilderChange} executedSql={executedSql} />
      ) : (
        <SqlEditor
          datasource={datasource}
          value={query.rawSql}
          onChange={(rawSql) => rawSql !== query.rawSql && change({ ...query, rawSql }, false)}
          onRunQuery={onRunQuery}
        />
      )}
      <ConfirmModal
        isOpen={confirmingSwitch}
        title={labels.queryEditor.switchToBuilder.title}
        body={labels.queryEditor.switchToBuilder.body}
        confirmText={labels.queryEditor.switchToBuilder.confirm}
        onConfirm={() => {
          setConfirmingSwitch(false);
          if (query.mode === EditorMode.SQL) {
            change(toBuilderQuery(query), true);
          }
        }}
        onDismiss={() => setConfirmingSwitch(false)}
      />
    </div>
  );
};

export const QueryEditor = withErrorBoundary(QueryEditorView, 'QueryEditor');
