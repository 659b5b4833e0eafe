/** Every user-facing string of the plugin, in one place. */
export const labels = {
  config: {
    connection: 'Connection',
    connectionDescription:
      'The TimescaleDB gateway this data source reads through. Grafana adds the token to every request; browsers never see it.',
    url: {
      label: 'Gateway URL',
      placeholder: 'http://localhost:8080',
      tooltip: 'Base URL of the gateway as Grafana’s server reaches it.',
    },
    token: {
      label: 'Token',
      placeholder: 'Bearer token with the read scope (and sql for SQL mode)',
      tooltip: 'Stored encrypted; sent by Grafana’s data proxy as Authorization: Bearer.',
    },
    queries: 'Queries',
    timeout: {
      label: 'Query timeout',
      placeholder: '60',
      tooltip:
        'Seconds Grafana’s data proxy waits for the gateway (Grafana uses 30 s when this is empty). Keep it longer than the gateway’s STATEMENT_TIMEOUT_MS (30 s by default), so a slow query ends with the gateway’s own error.',
    },
    security: 'TLS and headers',
    securityDescription: 'Grafana’s data proxy uses these when it calls the gateway.',
    tlsSkipVerify: {
      label: 'Skip TLS verification',
      tooltip: 'Accept any certificate from the gateway (testing only).',
    },
    tlsWithCACert: { label: 'With CA certificate', tooltip: 'Verify the gateway’s certificate against your own CA.' },
    tlsCACert: { label: 'CA certificate', placeholder: 'Begins with -----BEGIN CERTIFICATE-----' },
    headers: {
      label: 'Custom HTTP headers',
      tooltip: 'Sent with every request to the gateway, e.g. for a proxy in front of it. Values are stored encrypted.',
      name: 'Header name',
      value: 'Header value',
      add: 'Add header',
      remove: 'Remove header',
    },
    minInterval: {
      label: 'Min interval',
      placeholder: '10s',
      tooltip: 'Lower limit for the auto interval, e.g. the rate data is written at (10s, 1m).',
    },
    adHocTable: {
      label: 'Ad hoc filter table',
      placeholder: 'First hypertable',
      tooltip: 'Ad hoc filter keys are the columns of this table.',
    },
  },
  test: {
    connected: 'Connected.',
    noTimescale: 'TimescaleDB not installed',
    noScopes: 'no scopes',
    tablesPrefix: 'Tables:',
    noSqlScope: 'The token has no sql scope: SQL mode queries will be refused.',
    noUrl: 'Set the gateway URL first.',
    unreachable: (url: string) => `Gateway unreachable at ${url}: Grafana's server got no answer from it.`,
    timedOut: (url: string) => `The gateway at ${url} timed out: no answer within the query timeout.`,
    unauthorized: 'Token rejected: the gateway does not accept this token.',
    tooPowerful: (scopes: string[]) =>
      `Warning: the token has the ${scopes.join(' and ')} scope${scopes.length > 1 ? 's' : ''}. Everyone who can view a panel of this data source acts with it; give it only read (and sql).`,
    forbidden: 'The token is not allowed to do this (403).',
    failed: 'The gateway answered with an error:',
  },
  queryEditor: {
    modeLabel: 'Editor mode',
    modes: { builder: 'Builder', sql: 'SQL' },
    run: 'Run query',
    live: {
      label: 'Live',
      tooltip:
        'Keep the panel moving: new rows appear within a second of being written while the time range ends at now.',
    },
    format: { label: 'Format', options: { time_series: 'Time series', table: 'Table' } },
    switchToBuilder: {
      title: 'Switch to the builder?',
      body: 'The builder cannot read SQL: your SQL will be discarded and the previous builder settings restored.',
      confirm: 'Discard SQL',
    },
    switchToSqlFailed: 'Could not switch to SQL: the gateway did not render the query.',
  },
  builder: {
    table: {
      label: 'Table',
      placeholder: 'Choose a table',
      tooltip: 'Tables, views, hypertables and continuous aggregates from the gateway’s catalog.',
    },
    kinds: {
      table: 'table',
      view: 'view',
      materialized_view: 'materialized view',
      foreign_table: 'foreign table',
      hypertable: 'hypertable',
      continuous_aggregate: 'continuous aggregate',
    },
    foreign: {
      table: (server: string, remote: string | null) => (remote ? `on ${server} as ${remote}` : `on ${server}`),
      view: (sources: string[]) => `reads foreign ${sources.join(', ')}`,
    },
    timeColumn: {
      label: 'Time column',
      placeholder: 'Auto',
      tooltip: 'Picked from the catalog; the dashboard range applies to it.',
    },
    metrics: {
      label: 'Metrics',
      add: 'Add metric',
      remove: 'Remove metric',
      column: 'Column',
      aggregation: 'Aggregation',
      percentile: 'Percentile',
      alias: 'Alias',
    },
    aggregations: {
      avg: 'Average',
      min: 'Min',
      max: 'Max',
      sum: 'Sum',
      count: 'Count',
      first: 'First',
      last: 'Last',
      median: 'Median',
      percentile: 'Percentile',
      rate: 'Rate (counter, per second)',
      increase: 'Increase (counter)',
      none: 'Raw values',
    },
    groupBy: {
      label: 'Group by',
      placeholder: 'One series per value of…',
      tooltip: 'These columns become series labels.',
    },
    filters: {
      label: 'Filters',
      add: 'Add filter',
      remove: 'Remove filter',
      value: 'Value',
      column: 'Column',
      operator: 'Operator',
    },
    bucket: {
      label: 'Bucket',
      tooltip: 'Auto follows the panel interval; or pick / type an interval such as 30s or 15 minutes.',
      auto: 'Auto',
    },
    fill: {
      label: 'Fill',
      tooltip: 'How empty buckets are shown.',
      options: { none: 'None', null: 'Null', zero: 'Zero', previous: 'Previous value', linear: 'Linear' },
    },
    limit: { label: 'Limit', placeholder: 'No limit' },
    options: { label: 'Options' },
    continuousAggregates: {
      label: 'Use continuous aggregates',
      tooltip:
        'Answer from a continuous aggregate of the table when it gives the same result (much faster over long ranges). Off reads the raw rows.',
    },
    allowExpensive: {
      label: 'Allow expensive query',
      tooltip:
        "Run even when the gateway's cost guard estimates the query as too expensive. Only tokens allowed it by the gateway may set this.",
    },
    preview: {
      label: 'SQL preview',
      tooltip: 'The same query written for SQL mode, with macros. Switching to SQL starts from it.',
      executed: 'Executed SQL (last run)',
      empty: 'Choose a table and a metric.',
      loading: 'Rendering…',
      error: 'The gateway could not render this query:',
    },
    loadError: 'Could not load the catalog:',
  },
  sqlEditor: {
    hint: 'Ctrl/Cmd+Enter runs the query. Macros: $__timeFilter(timestamp), $__timeBucket(timestamp), $__timeGroupAlias(timestamp, 5m)…',
    completion: { table: 'table', column: 'column', macro: 'macro', variable: 'template variable' },
  },
  variableEditor: {
    mode: { label: 'Query type', options: { sql: 'SQL', values: 'Values of column' } },
    sqlHint: 'Return one column, or __text and __value columns for text/value pairs.',
    table: 'Table',
    column: 'Column',
    search: { label: 'Containing', placeholder: 'Optional text the values must contain' },
    limit: { label: 'Limit', placeholder: '100' },
  },
  annotationEditor: {
    hint: 'Columns: time, timeEnd (optional, makes a region), text, tags (comma-separated) — or map other columns in the field mapping below.',
    example:
      "SELECT timestamp AS time, timestamp + interval '5 minutes' AS \"timeEnd\", 'Maintenance' AS text, 'ops,sensor' AS tags\nFROM sensor_data\nWHERE $__timeFilter(timestamp) AND temperature > 30\nLIMIT 50",
  },
  errors: {
    boundary: 'Something went wrong in the editor.',
    timeout: (seconds: number) => `The query took longer than ${seconds} s.`,
  },
};
