/**
 * A small SVG time series chart with the semantics of Grafana's time series panel that
 * the tests care about: the x axis is the dashboard range, every number field of a frame
 * with a time field is one series, missing intervals become nulls (Grafana's null
 * insertion from the frame's interval) and nulls break the line. Each series carries its
 * point, null and segment counts as data attributes, so a test can tell a gap from none.
 */
import {
  applyNullInsertThreshold,
  dateTimeFormat,
  FieldType,
  getFieldDisplayName,
  type DataFrame,
  type GrafanaTheme2,
} from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import { css } from '@emotion/css';

import { harnessIds } from '../../testIds';

interface Series {
  name: string;
  points: Array<[number, number | null]>;
}

export interface TimeSeriesChartProps {
  frames: DataFrame[];
  from: number;
  to: number;
  width: number;
  height: number;
}

const PAD = { left: 56, right: 16, top: 12, bottom: 28 };

export const toSeries = (frames: DataFrame[], from: number, to: number): Series[] => {
  const series: Series[] = [];
  for (const original of frames) {
    if (!original.fields.some((f) => f.type === FieldType.time)) {
      continue;
    }
    const frame = applyNullInsertThreshold({ frame: original, refFieldPseudoMin: from, refFieldPseudoMax: to });
    const time = frame.fields.find((f) => f.type === FieldType.time)!;
    for (const field of frame.fields) {
      if (field.type !== FieldType.number) {
        continue;
      }
      const points: Array<[number, number | null]> = [];
      for (let i = 0; i < frame.length; i++) {
        const t = Number(time.values[i]);
        const v = field.values[i];
        points.push([t, v === null || v === undefined || Number.isNaN(Number(v)) ? null : Number(v)]);
      }
      points.sort((a, b) => a[0] - b[0]);
      series.push({ name: getFieldDisplayName(field, frame, frames), points });
    }
  }
  return series;
};

/** Splits a series into drawable runs: a null ends the current line, like Grafana's default (no span of nulls). */
const segmentsOf = (points: Array<[number, number | null]>) => {
  const segments: Array<Array<[number, number]>> = [];
  let current: Array<[number, number]> = [];
  for (const [t, v] of points) {
    if (v === null) {
      if (current.length) {
        segments.push(current);
      }
      current = [];
    } else {
      current.push([t, v]);
    }
  }
  if (current.length) {
    segments.push(current);
  }
  return segments;
};

const niceTicks = (min: number, max: number, count: number) => {
  const span = max - min || 1;
  const step = Math.pow(10, Math.floor(Math.log10(span / count)));
  const factor = [1, 2, 5, 10].find((f) => span / (step * f) <= count) ?? 10;
  const size = step * factor;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / size) * size; v <= max; v += size) {
    ticks.push(Number(v.toFixed(10)));
  }
  return ticks;
};

const getStyles = (theme: GrafanaTheme2) => ({
  legend: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    padding: theme.spacing(0.5, 1),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  swatch: css({
    display: 'inline-block',
    width: 14,
    height: 4,
    borderRadius: 2,
    marginRight: theme.spacing(0.5),
    verticalAlign: 'middle',
  }),
  empty: css({ color: theme.colors.text.secondary, padding: theme.spacing(2) }),
});

export const TimeSeriesChart = ({ frames, from, to, width, height }: TimeSeriesChartProps) => {
  const theme = useTheme2();
  const styles = getStyles(theme);
  const series = toSeries(frames, from, to);
  if (!series.length) {
    return <div className={styles.empty}>No time series in the result</div>;
  }
  const values = series.flatMap((s) => s.points.map(([, v]) => v).filter((v): v is number => v !== null));
  const rawMin = values.length ? Math.min(...values) : 0;
  const rawMax = values.length ? Math.max(...values) : 1;
  const pad = (rawMax - rawMin) * 0.05 || 1;
  const [yMin, yMax] = [rawMin - pad, rawMax + pad];
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + ((t - from) / (to - from)) * plotW;
  const y = (v: number) => PAD.top + (1 - (v - yMin) / (yMax - yMin)) * plotH;
  const color = (i: number) =>
    theme.visualization.getColorByName(theme.visualization.palette[i % theme.visualization.palette.length]);
  const xTicks = Array.from({ length: 6 }, (_, i) => from + ((to - from) * i) / 5);
  const spanMs = to - from;
  const xFormat = spanMs > 3 * 86400_000 ? 'MM/DD HH:mm' : 'HH:mm';

  return (
    <div data-testid={harnessIds.chart}>
      <svg width={width} height={height} role="img" aria-label="Time series">
        <g stroke={theme.colors.border.weak} strokeWidth={1}>
          {niceTicks(yMin, yMax, 5).map((v) => (
            <line key={v} x1={PAD.left} x2={width - PAD.right} y1={y(v)} y2={y(v)} />
          ))}
        </g>
        <g fill={theme.colors.text.secondary} fontSize={11}>
          {niceTicks(yMin, yMax, 5).map((v) => (
            <text key={v} x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {Number(v.toPrecision(6))}
            </text>
          ))}
          {xTicks.map((t) => (
            <text key={t} x={x(t)} y={height - 8} textAnchor="middle">
              {dateTimeFormat(t, { format: xFormat, timeZone: 'utc' })}
            </text>
          ))}
        </g>
        <g clipPath="inset(0)">
          {series.map((s, i) => {
            const segments = segmentsOf(s.points);
            const d = segments
              .map((seg) =>
                seg.map(([t, v], j) => `${j === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('')
              )
              .join('');
            return (
              <path
                key={s.name + i}
                data-testid={harnessIds.chartSeries}
                data-name={s.name}
                data-points={s.points.length}
                data-nulls={s.points.filter(([, v]) => v === null).length}
                data-segments={segments.length}
                d={d}
                fill="none"
                stroke={color(i)}
                strokeWidth={1.5}
              />
            );
          })}
        </g>
      </svg>
      <div className={styles.legend}>
        {series.map((s, i) => (
          <span key={s.name + i} data-testid={harnessIds.legendItem}>
            <span className={styles.swatch} style={{ background: color(i) }} />
            {s.name}
          </span>
        ))}
      </div>
    </div>
  );
};
