import type { Db } from '../../src/db/types';

/**
 * Small tables with known contents, created on either database:
 * - `metrics`: time series (a hypertable where TimescaleDB exists), 3 devices × 6 readings,
 *   10 minutes apart from 2024-01-01T00:00:00Z; device "d3" has one NULL value.
 * - `items`: one row per type family, unique `sku`.
 * - `other.things` (another schema), `"Odd ""Name"""` (a name that needs quoting),
 *   `metrics_view` (a view), `secrets` (no token but admin may see it).
 */
export async function createFixtures(db: Db, timescale: boolean): Promise<void> {
  await db.query(
    `CREATE TABLE metrics (time timestamptz NOT NULL, device text NOT NULL, value double precision, count int)`
  );
  if (timescale) {
    await db.query(`SELECT create_hypertable('metrics', 'time')`);
  }
  await db.query(`
    INSERT INTO metrics (time, device, value, count)
    SELECT timestamptz '2024-01-01T00:00:00Z' + (i * interval '10 minutes'), 'd' || d,
           CASE WHEN d = 3 AND i = 2 THEN NULL ELSE d * 10 + i END, i
    FROM generate_series(0, 5) i, generate_series(1, 3) d`);
  await db.query(`CREATE TABLE items (
      sku text PRIMARY KEY, qty int, big bigint, price numeric(12, 2), ratio real, active boolean,
      meta jsonb, day date, local_ts timestamp, id uuid, note varchar(40))`);
  await db.query(`INSERT INTO items VALUES
      ('a-1', 1, 9007199254740993, 12.50, 0.5, true, '{"k": 1}', '2024-02-29', '2024-01-01 12:00:00', '00000000-0000-0000-0000-000000000001', 'first'),
      ('b-2', 2, 42, 0.10, 1.25, false, '[1, 2]', '2023-12-31', '2024-06-01 00:00:00', '00000000-0000-0000-0000-000000000002', NULL)`);
  await db.query(`CREATE SCHEMA other`);
  await db.query(`CREATE TABLE other.things (id int PRIMARY KEY, label text)`);
  await db.query(`INSERT INTO other.things VALUES (1, 'one'), (2, 'two')`);
  await db.query(`CREATE TABLE "Odd ""Name""" ("a b" int, "x""y" text)`);
  await db.query(`INSERT INTO "Odd ""Name""" VALUES (1, 'q')`);
  await db.query(`CREATE VIEW metrics_view AS SELECT time, device, value FROM metrics`);
  await db.query(`CREATE TABLE secrets (k text)`);
  await db.query(`INSERT INTO secrets VALUES ('s')`);
}

/** Row counts of every fixture table: tests compare them before and after hostile requests. */
export async function fixtureCounts(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<Record<string, number>>(`SELECT
      (SELECT count(*)::int FROM metrics) AS metrics,
      (SELECT count(*)::int FROM items) AS items,
      (SELECT count(*)::int FROM other.things) AS things,
      (SELECT count(*)::int FROM "Odd ""Name""") AS odd,
      (SELECT count(*)::int FROM secrets) AS secrets`);
  return rows[0];
}
