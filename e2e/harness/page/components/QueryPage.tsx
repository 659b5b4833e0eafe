/**
 * A panel editor in miniature: dashboard controls (the `sensor` variable, time range),
 * the panel (chart, table, errors, executed SQL), and the plugin's QueryEditor for query
 * A. Like Grafana, the panel re-runs when the range or a variable changes, and when the
 * editor calls `onRunQuery` — always with the editor's latest query.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import {
  CoreApp,
  dateTime,
  LoadingState,
  type DataQuery,
  type DataSourceApi,
  type DataSourcePlugin,
  type GrafanaTheme2,
  type PanelData,
  type TimeRange,
} from '@grafana/data';
import { Alert, Button, InlineField, MultiSelect, Stack, TimeRangePicker, useStyles2 } from '@grafana/ui';

import { harnessIds } from '../../testIds';
import { buildRequest, runQuery } from '../runQuery';
import type { HarnessTemplateSrv, HarnessVariable } from '../services/templateSrv';
import { writeState } from '../urlState';
import { FramesTable } from './FramesTable';
import { TimeSeriesChart } from './TimeSeriesChart';

const PANEL_WIDTH = 1180;
const CHART_HEIGHT = 280;
const TABLE_HEIGHT = 220;
const ALL = '$__all';

export interface QueryPageProps {
  plugin: DataSourcePlugin<any, any, any, any>;
  datasource: DataSourceApi;
  templateSrv: HarnessTemplateSrv;
  variables: HarnessVariable[];
  initialRange: TimeRange;
}

const getStyles = (theme: GrafanaTheme2) => ({
  controls: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'center', width: PANEL_WIDTH + 18 }),
  panel: css({
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
    width: PANEL_WIDTH + 18,
  }),
  panelTitle: css({
    display: 'flex',
    justifyContent: 'space-between',
    fontWeight: theme.typography.fontWeightMedium,
    marginBottom: theme.spacing(1),
  }),
  queryRow: css({
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
    width: PANEL_WIDTH + 18,
  }),
  queryHeader: css({
    color: theme.colors.primary.text,
    fontWeight: theme.typography.fontWeightBold,
    marginBottom: theme.spacing(1),
  }),
  sql: css({ whiteSpace: 'pre-wrap', fontSize: theme.typography.bodySmall.fontSize, maxHeight: 120, overflow: 'auto' }),
});

const executedQueries = (data?: PanelData) =>
  (data?.series ?? [])
    .map((f) => f.meta?.executedQueryString)
    .filter((s, i, all): s is string => !!s && all.indexOf(s) === i);

export const QueryPage = ({
  plugin,
  datasource,
  templateSrv,
  variables: initialVariables,
  initialRange,
}: QueryPageProps) => {
  const styles = useStyles2(getStyles);
  const QueryEditor = plugin.components.QueryEditor;
  const [range, setRange] = useState(initialRange);
  const [variables, setVariables] = useState(initialVariables);
  const [query, setQuery] = useState<DataQuery>(() => ({
    ...(datasource.getDefaultQuery?.(CoreApp.PanelEditor) ?? {}),
    refId: 'A',
    datasource: datasource.getRef(),
  }));
  const [data, setData] = useState<PanelData>();
  const [runs, setRuns] = useState(0);
  const [running, setRunning] = useState(false);
  // onRunQuery often follows onChange in the same tick: run what the editor last sent.
  const queryRef = useRef(query);
  const latestRun = useRef(0);

  const run = useCallback(
    async (nextRange = range, nextVariables = variables) => {
      const runId = ++latestRun.current;
      templateSrv.setVariables(nextVariables);
      templateSrv.updateTimeRange(nextRange);
      setRunning(true);
      const request = buildRequest(datasource, queryRef.current, nextRange, PANEL_WIDTH);
      const result = await runQuery(datasource, request);
      if (runId === latestRun.current) {
        setData(result);
        setRuns(runId);
        setRunning(false);
      }
    },
    [datasource, range, templateSrv, variables]
  );

  useEffect(() => {
    writeState(range, Object.fromEntries(variables.map((v) => [v.name, v.current])));
  }, [range, variables]);

  useEffect(() => {
    run();
    // Runs once on load, like a dashboard panel; later runs are triggered by the controls and the editor.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onChange = (next: DataQuery) => {
    queryRef.current = next;
    setQuery(next);
  };

  const changeVariable = (name: string, values: string[]) => {
    const next = variables.map((v) => (v.name === name ? { ...v, current: values.length ? values : [ALL] } : v));
    setVariables(next);
    run(range, next);
  };

  const changeRange = (next: TimeRange) => {
    setRange(next);
    run(next, variables);
  };

  const shift = (direction: -1 | 1) => {
    const span = range.to.valueOf() - range.from.valueOf();
    const from = dateTime(range.from.valueOf() + direction * span);
    const to = dateTime(range.to.valueOf() + direction * span);
    changeRange({ from, to, raw: { from, to } });
  };

  const errors = data?.errors ?? [];
  const frames = data?.series ?? [];
  const state = running ? LoadingState.Loading : (data?.state ?? LoadingState.NotStarted);

  return (
    <div data-testid={harnessIds.queryPage}>
      <Stack direction="column" gap={2}>
        <div className={styles.controls}>
          <Stack>
            {variables.map((variable) => (
              <div key={variable.name} data-testid={harnessIds.variablePicker} data-variable={variable.name}>
                <InlineField label={variable.label ?? variable.name}>
                  <MultiSelect
                    width={48}
                    aria-label={`Variable ${variable.name}`}
                    value={variable.current.includes(ALL) ? [] : variable.current}
                    placeholder="All"
                    options={variable.options.map((o) => ({ value: o, label: o }))}
                    onChange={(selected) =>
                      changeVariable(
                        variable.name,
                        selected.map((s) => String(s.value))
                      )
                    }
                  />
                </InlineField>
              </div>
            ))}
          </Stack>
          <Stack alignItems="center">
            <div data-testid={harnessIds.timeRange}>
              <TimeRangePicker
                value={range}
                timeZone="utc"
                onChange={changeRange}
                onChangeTimeZone={() => undefined}
                onMoveBackward={() => shift(-1)}
                onMoveForward={() => shift(1)}
                onZoom={() => undefined}
              />
            </div>
            <Button data-testid={harnessIds.refresh} icon="sync" variant="secondary" onClick={() => run()}>
              Refresh
            </Button>
          </Stack>
        </div>

        <section className={styles.panel} data-testid={harnessIds.panel}>
          <div className={styles.panelTitle}>
            <span>Panel</span>
            <span data-testid={harnessIds.panelState} data-state={state} data-runs={runs}>
              {state}
            </span>
          </div>
          {errors.map((error, i) => (
            <div key={i} data-testid={harnessIds.panelError}>
              <Alert severity="error" title={error.message ?? 'Query error'}>
                {error.refId ? `Query ${error.refId}` : undefined}
              </Alert>
            </div>
          ))}
          <TimeSeriesChart
            frames={frames}
            from={range.from.valueOf()}
            to={range.to.valueOf()}
            width={PANEL_WIDTH}
            height={CHART_HEIGHT}
          />
          <FramesTable frames={frames} width={PANEL_WIDTH} height={TABLE_HEIGHT} />
          {executedQueries(data).map((sql) => (
            <pre key={sql} className={styles.sql} data-testid={harnessIds.executedSql}>
              {sql}
            </pre>
          ))}
        </section>

        <section className={styles.queryRow} data-testid={harnessIds.queryRow}>
          <div className={styles.queryHeader}>
            A <small>({datasource.name})</small>
          </div>
          {QueryEditor ? (
            <QueryEditor
              datasource={datasource}
              query={query}
              queries={[query]}
              onChange={onChange}
              onRunQuery={() => run()}
              data={data}
              range={range}
              app={CoreApp.PanelEditor}
            />
          ) : (
            <Alert title="The plugin has no QueryEditor" />
          )}
        </section>
      </Stack>
    </div>
  );
};
