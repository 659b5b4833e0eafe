/**
 * `data-testid`s of the host page (the parts Grafana would draw around the plugin), shared
 * by the page and the browser tests. The data source settings ids are Grafana's own, so
 * the tests read like @grafana/plugin-e2e specs.
 */
import { selectors as grafana } from '@grafana/e2e-selectors';

/** The single data source the harness configures. */
export const HARNESS_DATASOURCE_UID = 'tsgw-harness';

export const harnessIds = {
  configPage: 'harness-config-page',
  datasourceName: 'harness-datasource-name',
  saveAndTest: grafana.pages.DataSource.saveAndTest,
  testResult: grafana.pages.DataSource.alert,
  queryPage: 'harness-query-page',
  variablePicker: 'harness-variable-sensor',
  timeRange: 'harness-time-range',
  refresh: 'harness-refresh',
  panel: 'harness-panel',
  panelState: 'harness-panel-state',
  panelError: 'harness-panel-error',
  chart: 'harness-chart',
  chartSeries: 'harness-chart-series',
  legendItem: 'harness-legend-item',
  table: 'harness-table',
  tableRowCount: 'harness-table-row-count',
  executedSql: 'harness-executed-sql',
  queryRow: 'harness-query-row',
  dashboardPage: 'harness-dashboard-page',
  dashboardPanel: 'harness-dashboard-panel',
  dashboardPanelLive: 'harness-dashboard-panel-live',
  annotations: 'harness-annotations',
  annotation: 'harness-annotation',
} as const;
