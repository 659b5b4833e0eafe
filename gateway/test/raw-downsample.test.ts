import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { api } from './helpers/http';

/** Raw series (`aggregation: none`) longer than maxDataPoints come back downsampled with LTTB, peaks kept. */

const RANGE = { from: '2026-05-01T00:00:00Z', to: '2026-05-02T00:00:00Z' };
const ROWS_PER_SENSOR = 4000;

forEachDatabase(
  (getCtx) => {
    const ask = (maxDataPoints: number) =>
      api(getCtx(), '/api/v1/query', {
        body: {
          range: RANGE,
          maxDataPoints,
          queries: [
            {
              refId: 'A',
              mode: 'builder',
              table: 'cagg_raw_points',
              metrics: [{ column: 'v', aggregation: 'none' }],
              groupBy: ['sensor'],
            },
          ],
        },
      });

    /** Per sensor: [times, values] of its frame field. */
    const bySensor = (a: any): Map<string, { times: number[]; values: Array<number | null> }> => {
      const out = new Map();
      for (const frame of a.frames) {
        const times = frame.data.values[0];
        frame.schema.fields.forEach((f: any, i: number) => {
          if (f.labels?.sensor) {
            out.set(f.labels.sensor, { times, values: frame.data.values[i] });
          }
        });
      }
      return out;
    };

    it('keeps at most maxDataPoints per series, with first, last, minimum and maximum, and says so', async () => {
      const res = await ask(100);
      assert.equal(res.status, 200, res.text);
      const a = res.body.results.A;
      assert.equal(a.error, undefined, a.error);
      const series = bySensor(a);
      assert.deepEqual([...series.keys()].sort(), ['a', 'b']);
      for (const [sensor, s] of series) {
        const present = s.times.filter((_, i) => s.values[i] !== null && s.values[i] !== undefined);
        assert.ok(present.length <= 100 && present.length >= 50, `${sensor}: ${present.length}`);
        const values = s.values.filter((v): v is number => typeof v === 'number');
        const offset = sensor === 'a' ? 0 : 1;
        // The fixture's spikes: +500 at row 1234, -500 at row 2345 of each sensor; first row 0, last row 3999.
        assert.ok(values.includes(500 + offset) && values.includes(-500 - offset), `${sensor}: peaks kept`);
        const first = Date.parse(RANGE.from) + offset * 1000;
        assert.ok(present.includes(first), `${sensor}: first row kept`);
        assert.ok(present.includes(first + (ROWS_PER_SENSOR - 1) * 20_000), `${sensor}: last row kept`);
      }
      assert.match(
        a.frames[0].schema.meta.notices.map((n: any) => n.text).join(' '),
        /Downsampled to at most 100 points per series .*LTTB/
      );
    });

    it('leaves series within maxDataPoints whole, without a notice', async () => {
      const a = (await ask(5000)).body.results.A;
      for (const s of bySensor(a).values()) {
        assert.equal(s.values.filter((v) => v !== null).length, ROWS_PER_SENSOR);
      }
      assert.equal(a.frames[0].schema.meta.notices, undefined);
    });
  },
  {
    setup: async (db) => {
      await db.query(
        'CREATE TABLE cagg_raw_points (ts timestamptz NOT NULL, sensor text NOT NULL, v double precision)'
      );
      await db.query(`INSERT INTO cagg_raw_points
        SELECT timestamptz '2026-05-01' + (i * 20 + s) * interval '1 second', CASE WHEN s = 0 THEN 'a' ELSE 'b' END,
               CASE WHEN i = 1234 THEN 500 + s WHEN i = 2345 THEN -500 - s ELSE sin(i / 50.0) * 10 END
        FROM generate_series(0, ${ROWS_PER_SENSOR - 1}) AS i, generate_series(0, 1) AS s`);
    },
  }
);
