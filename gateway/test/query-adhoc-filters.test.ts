import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { queryResults } from './helpers/http';
import { createFixtures } from './helpers/fixtures';

/**
 * A dashboard's ad hoc filters come with every query of the data source. A builder query
 * applies those whose key is a column of its table and ignores the others (a panel on
 * another table keeps working); SQL mode applies them only where the SQL says
 * `$__adHocFilters`, with the values bound.
 */

const DEVICE_D2 = [{ key: 'device', operator: '=', value: 'd2' }];
const run = queryResults;

forEachDatabase(
  (getCtx) => {
    it('applies a filter to the builder query whose table has the key, and leaves the other table’s query alone', async () => {
      const { A, B } = await run(getCtx(), [
        {
          mode: 'builder',
          table: 'metrics',
          metrics: [{ column: 'value', aggregation: 'count' }],
          groupBy: ['device'],
          adhocFilters: DEVICE_D2,
        },
        {
          mode: 'builder',
          table: 'other.things',
          metrics: [{ column: 'label', aggregation: 'none' }],
          adhocFilters: DEVICE_D2,
        },
      ]);
      assert.equal(A.error, undefined, A.error);
      assert.deepEqual(A.frames[0].data.values, [['d2'], [6]]);
      assert.equal(B.error, undefined, B.error);
      assert.deepEqual(B.frames[0].data.values, [['one', 'two']]);
    });

    it('filters SQL where it says $__adHocFilters, with the value bound', async () => {
      const { A } = await run(getCtx(), [
        {
          mode: 'sql',
          rawSql: 'SELECT device, count(*)::int AS n FROM metrics WHERE $__adHocFilters GROUP BY device',
          adhocFilters: DEVICE_D2,
        },
      ]);
      assert.equal(A.error, undefined, A.error);
      assert.deepEqual(A.frames[0].data.values, [['d2'], [6]]);
      assert.match(A.executedQueryString ?? '', /"device" = 'd2'/);
    });

    it('leaves SQL without the macro unfiltered, and makes the macro TRUE without filters', async () => {
      const { A, B } = await run(getCtx(), [
        { mode: 'sql', rawSql: 'SELECT count(*)::int AS n FROM other.things', adhocFilters: DEVICE_D2 },
        { mode: 'sql', rawSql: 'SELECT count(*)::int AS n FROM metrics WHERE $__adHocFilters' },
      ]);
      assert.equal(A.error, undefined, A.error);
      assert.deepEqual(A.frames[0].data.values, [[2]]);
      assert.equal(B.error, undefined, B.error);
      assert.deepEqual(B.frames[0].data.values, [[18]]);
    });

    it('keeps a hostile ad hoc value a value', async () => {
      const { A } = await run(getCtx(), [
        {
          mode: 'sql',
          rawSql: 'SELECT count(*)::int AS n FROM metrics WHERE $__adHocFilters',
          adhocFilters: [{ key: 'device', operator: '=', value: "d2' OR '1'='1" }],
        },
      ]);
      assert.equal(A.error, undefined, A.error);
      assert.deepEqual(A.frames[0].data.values, [[0]]);
    });
  },
  { setup: async (db, info) => createFixtures(db, info.timescale) }
);
