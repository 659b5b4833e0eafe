import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { shapeFrame, epochToMs } from '../../src/frames/shape-frames';
import { applyFill } from '../../src/frames/resample';
import type { WorkField, WorkFrame } from '../../src/frames/frame-types';
import { ApiError } from '../../src/errors';

const T = (s: number) => Date.UTC(2020, 0, 2, 3, 4, s);
const range = { from: T(18), to: T(26) };
const base = { executedQueryString: 'q', range, rowLimit: 1_000_000 };

function wide(): WorkFrame {
  return {
    fields: [
      { name: 'Time', type: 'time', values: [T(19), T(20), T(24)] },
      { name: 'Values Ints', type: 'number', values: [10, 12, 15] },
      { name: 'Values Floats', type: 'number', labels: { 'Animal Factor': 'sloth' }, values: [10.5, 12.5, 15.0] },
    ],
    meta: {},
  };
}

describe("Grafana's fill (resampling onto the interval grid)", () => {
  const fill = (mode: 'null' | 'previous' | 'value', intervalMs = 1000, value?: number, r = range) =>
    applyFill(wide(), { fill: { mode, value }, intervalMs, from: r.from, to: r.to, maxPoints: 1000 });

  it('fills NULL every 1s', () => {
    const f = fill('null');
    assert.deepEqual(f.fields[0].values, [18, 19, 20, 21, 22, 23, 24, 25, 26].map(T));
    assert.deepEqual(f.fields[1].values, [null, 10, 12, null, null, null, 15, null, null]);
  });
  it('fills a value', () => {
    assert.deepEqual(fill('value', 1000, -1).fields[2].values, [-1, 10.5, 12.5, -1, -1, -1, 15, -1, -1]);
  });
  it('fills the previous value', () => {
    assert.deepEqual(fill('previous').fields[1].values, [null, 10, 12, 12, 12, 12, 15, 15, 15]);
  });
  it('takes the last row of each 2s window', () => {
    const f = fill('null', 2000);
    assert.deepEqual(f.fields[0].values, [18, 20, 22, 24, 26].map(T));
    assert.deepEqual(f.fields[1].values, [null, 12, null, 15, null]);
  });
  it('drops rows outside the range', () => {
    const f = fill('null', 1000, undefined, { from: T(20), to: T(24) });
    assert.deepEqual(f.fields[1].values, [12, null, null, null, 15]);
  });
  it('works below one second', () => {
    const f = applyFill(wide(), {
      fill: { mode: 'value', value: 0 },
      intervalMs: 500,
      from: T(19),
      to: T(20),
      maxPoints: 1000,
    });
    assert.deepEqual(f.fields[0].values, [T(19), T(19) + 500, T(20)]);
    assert.deepEqual(f.fields[1].values, [10, 0, 12]);
  });
  it('skips the fill with a warning when it would need too many points', () => {
    const f = applyFill(wide(), { fill: { mode: 'null' }, intervalMs: 1, from: T(18), to: T(26), maxPoints: 100 });
    assert.equal(f.fields[0].values.length, 3);
    assert.match(f.meta.notices![0].text, /Fill operation skipped/);
  });
});

describe('result shaping like sqleng', () => {
  const field = (name: string, type: WorkField['type'], values: unknown[]): WorkField => ({ name, type, values });

  it('turns epoch seconds, milliseconds and nanoseconds of "time" into time', () => {
    assert.equal(epochToMs(1_523_556_000), 1_523_556_000_000);
    assert.equal(epochToMs(1_523_556_000_123), 1_523_556_000_123);
    assert.equal(epochToMs(1_523_556_000_123_000_000), 1_523_556_000_123);
    const f = shapeFrame([field('time', 'number', [1_523_556_000]), field('v', 'number', [1])], {
      ...base,
      format: 'table',
    });
    assert.deepEqual(f.fields[0], { name: 'time', type: 'time', values: [1_523_556_000_000] });
  });

  it('long to wide: string columns become labels, sorted by name then labels, missing cells null', () => {
    const f = shapeFrame(
      [
        field('time', 'time', [1000, 1000, 2000]),
        field('host', 'string', ['b', 'a', 'a']),
        field('cpu', 'number', [1, 2, 3]),
        field('mem', 'number', [4, 5, 6]),
      ],
      { ...base, format: 'time_series' }
    );
    assert.deepEqual(
      f.fields.map((x) => [x.name, x.labels?.host, x.values]),
      [
        ['Time', undefined, [1000, 2000]],
        ['cpu', 'a', [2, 3]],
        ['cpu', 'b', [1, null]],
        ['mem', 'a', [5, 6]],
        ['mem', 'b', [4, null]],
      ]
    );
    assert.equal(f.meta.type, 'timeseries-wide');
  });

  it('names (time, metric, value) series by the metric, like Grafana 7', () => {
    const f = shapeFrame(
      [field('time', 'time', [1000, 1000]), field('metric', 'string', ['x', 'y']), field('value', 'number', [1, 2])],
      {
        ...base,
        format: 'time_series',
      }
    );
    assert.deepEqual(
      f.fields.map((x) => [x.name, x.labels]),
      [
        ['Time', undefined],
        ['x', undefined],
        ['y', undefined],
      ]
    );
  });

  it('fills missing cells of the long → wide conversion with the fill value', () => {
    const f = shapeFrame(
      [field('time', 'time', [1000, 2000]), field('host', 'string', ['a', 'b']), field('v', 'number', [1, 2])],
      {
        ...base,
        range: { from: 1000, to: 2000 },
        format: 'time_series',
        fill: { mode: 'value', value: 7, intervalMs: 1000 },
      }
    );
    assert.deepEqual(
      f.fields.map((x) => x.values),
      [
        [1000, 2000],
        [1, 7],
        [7, 2],
      ]
    );
  });

  it('needs a time column for time series, sorted ascending', () => {
    assert.throws(
      () => shapeFrame([field('v', 'number', [1])], { ...base, format: 'time_series' }),
      (e: unknown) => e instanceof ApiError && e.code === 'no_time_column'
    );
    assert.throws(
      () =>
        shapeFrame(
          [field('time', 'time', [2000, 1000]), field('h', 'string', ['a', 'a']), field('v', 'number', [1, 2])],
          { ...base, format: 'time_series' }
        ),
      /sorted ascending/
    );
  });

  it('returns an empty frame (no fields) for no rows', () => {
    const f = shapeFrame([field('time', 'time', []), field('v', 'number', [])], { ...base, format: 'time_series' });
    assert.deepEqual(f, { fields: [], meta: { executedQueryString: 'q' } });
  });

  it('converts booleans and other times to numbers in time series', () => {
    const f = shapeFrame([field('time', 'time', [1]), field('ok', 'boolean', [true]), field('at', 'time', [5])], {
      ...base,
      format: 'time_series',
    });
    assert.deepEqual(
      f.fields.map((x) => [x.type, x.values]),
      [
        ['time', [1]],
        ['number', [1]],
        ['number', [5]],
      ]
    );
  });
});
