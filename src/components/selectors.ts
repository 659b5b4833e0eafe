/**
 * `data-testid`s of every editor, in one place: the components set them and the
 * Testing Library, browser and plugin-e2e tests find elements by them. Keep the
 * values stable — tests outside src/ depend on them.
 *
 * Ids of pickers (Combobox, MultiCombobox) sit on a box around them: the input (role
 * "combobox") is inside, and the menu is found through the input's `aria-controls`.
 */
export const selectors = {
  configEditor: {
    url: 'tsgw-config-url',
    token: 'tsgw-config-token',
    timeout: 'tsgw-config-timeout',
    minInterval: 'tsgw-config-min-interval',
    adHocTable: 'tsgw-config-adhoc-table',
    tlsSkipVerify: 'tsgw-config-tls-skip-verify',
    tlsWithCACert: 'tsgw-config-tls-with-ca-cert',
    tlsCACert: 'tsgw-config-tls-ca-cert',
    headerName: 'tsgw-config-header-name',
    headerValue: 'tsgw-config-header-value',
    addHeader: 'tsgw-config-add-header',
  },
  queryEditor: {
    root: 'tsgw-query-editor',
    modeSwitch: 'tsgw-query-mode',
    runButton: 'tsgw-query-run',
    format: 'tsgw-query-format',
    live: 'tsgw-query-live',
  },
  builder: {
    root: 'tsgw-builder',
    table: 'tsgw-builder-table',
    timeColumn: 'tsgw-builder-time-column',
    metrics: 'tsgw-builder-metrics',
    metricRow: 'tsgw-builder-metric-row',
    metricColumn: 'tsgw-builder-metric-column',
    metricAggregation: 'tsgw-builder-metric-aggregation',
    metricPercentile: 'tsgw-builder-metric-percentile',
    metricAlias: 'tsgw-builder-metric-alias',
    metricAdd: 'tsgw-builder-metric-add',
    metricRemove: 'tsgw-builder-metric-remove',
    groupBy: 'tsgw-builder-group-by',
    filters: 'tsgw-builder-filters',
    filterRow: 'tsgw-builder-filter-row',
    filterColumn: 'tsgw-builder-filter-column',
    filterOp: 'tsgw-builder-filter-op',
    filterValue: 'tsgw-builder-filter-value',
    filterAdd: 'tsgw-builder-filter-add',
    filterRemove: 'tsgw-builder-filter-remove',
    bucket: 'tsgw-builder-bucket',
    fill: 'tsgw-builder-fill',
    limit: 'tsgw-builder-limit',
    continuousAggregates: 'tsgw-builder-continuous-aggregates',
    allowExpensive: 'tsgw-builder-allow-expensive',
    sqlPreview: 'tsgw-builder-sql-preview',
    sqlPreviewError: 'tsgw-builder-sql-preview-error',
    executedSql: 'tsgw-builder-executed-sql',
  },
  sqlEditor: {
    root: 'tsgw-sql-editor',
  },
  variableEditor: {
    root: 'tsgw-variable-editor',
    mode: 'tsgw-variable-mode',
    sql: 'tsgw-variable-sql',
    table: 'tsgw-variable-table',
    column: 'tsgw-variable-column',
    search: 'tsgw-variable-search',
    limit: 'tsgw-variable-limit',
  },
  annotationEditor: {
    root: 'tsgw-annotation-editor',
    sql: 'tsgw-annotation-sql',
  },
} as const;
