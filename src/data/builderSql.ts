import { rangeUtil } from '@grafana/data';
import type { Filter, MetricSpec } from 'timescaledb-gateway/contract';
import { AggregationType, FillMode, type BuilderFields } from 'types/query';

import { quoteLiteral } from './sqlInterpolation';

/**
 * Renders a builder query as the SQL-mode query that means the same thing, written
 * with the gateway's macros so the dashboard range and interval stay live.
 *
 * This is what the builder's "SQL preview" shows and what switching to SQL carries
 * over. The gateway has no dry-run endpoint, so the preview is rendered here; the SQL
 * the gateway really ran (its own builder, bound parameters) is shown beside it as
 * "executed SQL" once the query has run.
 */

export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Catalog names are bare for the default schema and "schema.name" otherwise. */
export const quoteTableName = (name: string): string => {
  const dot = name.indexOf('.');
  return dot > 0 ? `${quoteIdentifier(name.slice(0, dot))}.${quoteIdentifier(name.slice(dot + 1))}` : quoteIdentifier(name);
};

/** `$var` / `${var}` / `${var:fmt}` / `[[var]]` standing alone: the SQL formatting of Grafana supplies the quotes. */
const isSingleVariable = (text: string): boolean => /^(\$\w+|\$\{[^}]+\}|\[\[[^\]]+\]\])$/.test(text);

const renderScalar = (value: unknown): string => {
  if (value === null || value === undefined) {
    return 'NULL';
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  if (typeof value === 'boolean') {
    return value ? 'TRUE' : 'FALSE';
  }
  return quoteLiteral(value);
};

export const renderFilter = (filter: Filter): string => {
  const column = quoteIdentifier(filter.column);
  switch (filter.op) {
    case 'IS NULL':
    case 'IS NOT NULL':
      return `${column} ${filter.op}`;
    case 'IN':
    case 'NOT IN': {
      const value = filter.value;
      if (typeof value === 'string' && isSingleVariable(value)) {
        return `${column} ${filter.op} (${value})`;
      }
      const list = Array.isArray(value) ? value : [value];
      return `${column} ${filter.op} (${list.map(renderScalar).join(', ')})`;
    }
    default:
      return `${column} ${filter.op} ${renderScalar(filter.value)}`;
  }
};

export const metricAlias = (metric: MetricSpec): string => {
  if (metric.alias) {
    return metric.alias;
  }
  if (metric.aggregation === AggregationType.None) {
    return metric.column;
  }
  if (metric.aggregation === AggregationType.Percentile) {
    return `p${metric.percentile ?? 95}(${metric.column})`;
  }
  return `${metric.aggregation}(${metric.column})`;
};

const isCounter = (metric: MetricSpec) =>
  metric.aggregation === AggregationType.Rate || metric.aggregation === AggregationType.Increase;

const deltaColumn = (index: number) => quoteIdentifier(`__delta_${index}`);

/** Seconds in one bucket, as SQL: the panel interval for "auto", else the chosen interval. */
const bucketSeconds = (bucket: string): string => {
  if (bucket === 'auto') {
    return '($__interval_ms / 1000.0)';
  }
  try {
    return String(rangeUtil.intervalToSeconds(bucket));
  } catch {
    return `extract(epoch from interval ${quoteLiteral(bucket)})`;
  }
};

const aggregateExpression = (metric: MetricSpec, index: number, time: string, bucket: string): string => {
  const column = quoteIdentifier(metric.column);
  switch (metric.aggregation) {
    case AggregationType.First:
    case AggregationType.Last:
      return `${metric.aggregation}(${column}, ${time})`;
    case AggregationType.Median:
      return `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${column})`;
    case AggregationType.Percentile:
      return `percentile_cont(${(metric.percentile ?? 95) / 100}) WITHIN GROUP (ORDER BY ${column})`;
    case AggregationType.Increase:
      return `sum(${deltaColumn(index)})`;
    case AggregationType.Rate:
      return `sum(${deltaColumn(index)}) / ${bucketSeconds(bucket)}`;
    case AggregationType.None:
      return column;
    default:
      return `${metric.aggregation}(${column})`;
  }
};

const fillWrap = (expression: string, fill: string | undefined): string => {
  switch (fill) {
    case FillMode.Previous:
      return `locf(${expression})`;
    case FillMode.Linear:
      return `interpolate(${expression})`;
    case FillMode.Zero:
      return `COALESCE(${expression}, 0)`;
    default:
      return expression;
  }
};

const bucketMacro = (time: string, bucket: string, fill: string | undefined): string => {
  const macro = fill && fill !== FillMode.None ? '$__timeBucketGapfill' : '$__timeBucket';
  return bucket === 'auto' ? `${macro}(${time})` : `${macro}(${time}, ${quoteLiteral(bucket)})`;
};

/** Counters reset: a drop means the counter restarted, so the new value is the increase (like Prometheus). */
const counterSource = (fields: BuilderFields, table: string, time: string, where: string): string => {
  const partition = (fields.groupBy ?? []).map(quoteIdentifier);
  const window = `(${partition.length ? `PARTITION BY ${partition.join(', ')} ` : ''}ORDER BY ${time})`;
  const passthrough = new Set<string>([...(fields.groupBy ?? []), ...fields.metrics.filter((m) => !isCounter(m)).map((m) => m.column)]);
  const columns = [time, ...Array.from(passthrough).map(quoteIdentifier)];
  fields.metrics.forEach((metric, index) => {
    if (isCounter(metric)) {
      const column = quoteIdentifier(metric.column);
      const previous = `lag(${column}) OVER ${window}`;
      columns.push(`CASE WHEN ${column} < ${previous} THEN ${column} ELSE ${column} - ${previous} END AS ${deltaColumn(index)}`);
    }
  });
  return `(\n  SELECT ${columns.join(', ')}\n  FROM ${table}\n  WHERE ${where}\n) AS counters`;
};

export const renderBuilderSql = (fields: BuilderFields, fallbackTimeColumn?: string | null): string => {
  if (!fields.table) {
    return '';
  }
  const table = quoteTableName(fields.table);
  const time = quoteIdentifier(fields.timeColumn || fallbackTimeColumn || 'time');
  const bucket = fields.bucket || 'auto';
  const metrics = fields.metrics.filter((m) => m.column);
  const groupBy = (fields.groupBy ?? []).filter(Boolean);
  const conditions = [`$__timeFilter(${time})`, ...(fields.filters ?? []).filter((f) => f.column).map(renderFilter)];
  const where = conditions.join('\n  AND ');
  const raw = metrics.length === 0 || metrics.every((m) => m.aggregation === AggregationType.None);

  const lines: string[] = [];
  if (raw) {
    const columns = [`${time} AS "time"`, ...groupBy.map(quoteIdentifier), ...metrics.map((m) => `${quoteIdentifier(m.column)} AS ${quoteIdentifier(metricAlias(m))}`)];
    lines.push(`SELECT ${columns.join(', ')}`, `FROM ${table}`, `WHERE ${where}`);
  } else {
    const counters = metrics.some(isCounter);
    const selected = [
      `${bucketMacro(time, bucket, fields.fill)} AS "time"`,
      ...groupBy.map(quoteIdentifier),
      ...metrics.map(
        (m) => `${fillWrap(aggregateExpression(m, fields.metrics.indexOf(m), time, bucket), fields.fill)} AS ${quoteIdentifier(metricAlias(m))}`
      ),
    ];
    lines.push(`SELECT ${selected.join(',\n  ')}`);
    if (counters) {
      lines.push(`FROM ${counterSource({ ...fields, metrics }, table, time, where)}`);
    } else {
      lines.push(`FROM ${table}`, `WHERE ${where}`);
    }
    lines.push(`GROUP BY ${['1', ...groupBy.map(quoteIdentifier)].join(', ')}`);
  }
  const order = (fields.orderBy ?? []).filter((o) => o.column);
  lines.push(
    `ORDER BY ${order.length ? order.map((o) => `${quoteIdentifier(o.column)} ${o.direction.toUpperCase()}`).join(', ') : '1'}`
  );
  if (fields.limit) {
    lines.push(`LIMIT ${Math.floor(fields.limit)}`);
  }
  return lines.join('\n');
};
