import type { QueryEditorProps } from '@grafana/data';
import { EditorHeader, FlexItem } from '@grafana/plugin-ui';
import { Alert, Button, ConfirmModal, RadioButtonGroup } from '@grafana/ui';
import React, { useCallback, useMemo, useState } from 'react';
import { lastValueFrom } from 'rxjs';

import { withErrorBoundary } from 'components/ErrorBoundary';
import { LiveSwitch } from 'components/LiveSwitch';
import { FormatSelect } from 'components/queryBuilder/FormatSelect';
import { QueryBuilder } from 'components/queryBuilder/QueryBuilder';
import { selectors } from 'components/selectors';
import { SqlEditor } from 'components/sqlEditor/SqlEditor';
import { omitBuilderFields, pickBuilderFields, withBuilderFields } from 'data/builderFields';
import { isRunnable, type DataSource } from 'data/datasource';
import { toGatewayError } from 'data/gatewayClient';
import { migrateQuery } from 'data/migrations';
import { editorRenderContext } from 'data/renderContext';
import { useRenderedSql } from 'hooks/useRenderedSql';
import { labels } from 'labels';
import type { TsDataSourceOptions } from 'types/config';
import { EDITOR_MODES } from 'timescaledb-gateway/contract/vocabulary';
import { type EditorMode, type BuilderFields, type TsBuilderQuery, type TsQuery, type TsSqlQuery } from 'types/query';

export type QueryEditorViewProps = QueryEditorProps<DataSource, TsQuery, TsDataSourceOptions>;

const modeOptions = EDITOR_MODES.map((value) => ({ value, label: labels.queryEditor.modes[value] }));

/** The builder query as SQL mode, starting from the gateway's rendering of it (`rawSql`). */
export const toSqlQuery = (query: TsBuilderQuery, rawSql: string): TsSqlQuery => {
  const builder = pickBuilderFields(query);
  return {
    ...omitBuilderFields(query),
    mode: 'sql',
    format: query.format ?? 'time_series',
    rawSql,
    builder,
    builderSql: rawSql,
  };
};

export const toBuilderQuery = (query: TsSqlQuery): TsBuilderQuery => {
  const { rawSql: _rawSql, builder, builderSql: _builderSql, ...rest } = query;
  return { ...rest, ...pickBuilderFields(builder ?? {}), mode: 'builder', format: query.format ?? 'time_series' };
};

/** Going back to the builder loses SQL unless it is still exactly what the builder wrote. */
export const switchingLosesSql = (query: TsSqlQuery): boolean =>
  !!query.rawSql.trim() && query.rawSql.trim() !== (query.builderSql ?? '').trim();

const QueryEditorView = ({
  datasource,
  query: storedQuery,
  onChange,
  onRunQuery,
  data,
  range,
}: QueryEditorViewProps) => {
  const query = useMemo(() => migrateQuery(storedQuery), [storedQuery]);
  const [confirmingSwitch, setConfirmingSwitch] = useState(false);
  const [switchError, setSwitchError] = useState<string>();
  const renderContext = useMemo(
    () => editorRenderContext(data, range, datasource.interval),
    [data, range, datasource.interval]
  );
  const rendered = useRenderedSql(datasource, query.mode === 'builder' ? query : undefined, renderContext);
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

  /** SQL mode starts from the gateway's rendering of the builder query, asked for now (not the debounced preview). */
  const switchToSql = (builderQuery: TsBuilderQuery) => {
    setSwitchError(undefined);
    if (!isRunnable({ ...builderQuery, hide: false })) {
      change(toSqlQuery(builderQuery, ''), false);
      return;
    }
    lastValueFrom(datasource.renderBuilder(builderQuery, renderContext)).then(
      (answer) => change(toSqlQuery(builderQuery, answer.sqlModeText), false),
      (err: unknown) => setSwitchError(toGatewayError(err).message)
    );
  };

  const onModeChange = (mode: EditorMode) => {
    if (mode === query.mode) {
      return;
    }
    if (query.mode === 'builder') {
      switchToSql(query);
    } else if (switchingLosesSql(query)) {
      setConfirmingSwitch(true);
    } else {
      change(toBuilderQuery(query), true);
    }
  };

  const onBuilderChange = useCallback(
    (fields: BuilderFields) => {
      if (query.mode === 'builder') {
        change(withBuilderFields(query, fields), true);
      }
    },
    [query, change]
  );

  return (
    <div data-testid={selectors.queryEditor.root}>
      <EditorHeader>
        <div data-testid={selectors.queryEditor.modeSwitch}>
          <RadioButtonGroup
            size="sm"
            aria-label={labels.queryEditor.modeLabel}
            options={modeOptions}
            value={query.mode}
            onChange={onModeChange}
          />
        </div>
        <FormatSelect format={query.format} onChange={(format) => change({ ...query, format }, true)} />
        <LiveSwitch live={!!query.live} onChange={(live) => change({ ...query, live }, true)} />
        <FlexItem grow={1} />
        <Button
          size="sm"
          variant="primary"
          icon="play"
          data-testid={selectors.queryEditor.runButton}
          onClick={onRunQuery}
        >
          {labels.queryEditor.run}
        </Button>
      </EditorHeader>
      {switchError && (
        <Alert severity="error" title={labels.queryEditor.switchToSqlFailed} onRemove={() => setSwitchError(undefined)}>
          {switchError}
        </Alert>
      )}
      {query.mode === 'builder' ? (
        <QueryBuilder
          datasource={datasource}
          fields={pickBuilderFields(query)}
          onChange={onBuilderChange}
          rendered={rendered}
          executedSql={executedSql}
        />
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
          if (query.mode === 'sql') {
            change(toBuilderQuery(query), true);
          }
        }}
        onDismiss={() => setConfirmingSwitch(false)}
      />
    </div>
  );
};

export const QueryEditor = withErrorBoundary(QueryEditorView, 'QueryEditor');
