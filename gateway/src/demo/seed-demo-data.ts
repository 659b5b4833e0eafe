import type { Db } from '../db/types';
import type { Capabilities } from '../capabilities';

export interface SeedResult {
  created: string[];
}

/**
 * The demo tables, created and filled when absent: `sensor_data` (a hypertable where
 * TimescaleDB exists) with 7 days at 10 s for 5 sensors ending now, `sales_data`, and
 * `measurements` (a plain table, 7 days at 5 min), the local half of the document's
 * foreign-table `UNION ALL`. Their columns are the seed document's own —
 * `sensor_data(timestamp, sensor_id, temperature, humidity)`,
 * `sales_data(order_id, product_id, quantity, timestamp)`, `measurements(timestamp, value)` —
 * so its examples run against the demo as written.
 * Generated inside the database with generate_series: a few seconds even embedded.
 */
export async function seedDemoData(db: Db, capabilities: Capabilities): Promise<SeedResult> {
  const created: string[] = [];
  const exists = async (name: string) =>
    (await db.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [`public.${name}`])).rows[0]
      .found;

  if (!(await exists('sensor_data'))) {
    await db.transaction(async (tx) => {
      await tx.query(`CREATE TABLE public.sensor_data (
        "timestamp" timestamptz NOT NULL,
        sensor_id text NOT NULL,
        temperature real,
        humidity real)`);
      if (capabilities.timescaledb) {
        await tx.query(
          `SELECT create_hypertable('public.sensor_data', 'timestamp', chunk_time_interval => interval '1 day')`
        );
      }
      await tx.query(
        `CREATE INDEX sensor_data_sensor_timestamp_idx ON public.sensor_data (sensor_id, "timestamp" DESC)`
      );
      // A daily cycle per sensor (each its own base and phase), a slow drift, and a little noise.
      await tx.query(`
        INSERT INTO public.sensor_data ("timestamp", sensor_id, temperature, humidity)
        SELECT t, 'sensor_' || s,
               round((19 + s * 0.8 + 4 * sin(2 * pi() * (extract(epoch FROM t) / 86400 + s / 7.0))
                      + 0.5 * sin(2 * pi() * extract(epoch FROM t) / 604800) + (random() - 0.5) * 0.6)::numeric, 2)::real,
               round((55 - s * 2 - 9 * sin(2 * pi() * (extract(epoch FROM t) / 86400 + s / 7.0))
                      + (random() - 0.5) * 2)::numeric, 2)::real
        FROM generate_series(
               to_timestamp(floor(extract(epoch FROM now()) / 10) * 10) - interval '7 days',
               to_timestamp(floor(extract(epoch FROM now()) / 10) * 10),
               interval '10 seconds') AS t,
             generate_series(1, 5) AS s`);
    });
    created.push('sensor_data');
  }

  if (!(await exists('sales_data'))) {
    await db.transaction(async (tx) => {
      await tx.query(`CREATE TABLE public.sales_data (
        order_id int PRIMARY KEY,
        product_id int NOT NULL,
        quantity int NOT NULL CHECK (quantity > 0),
        "timestamp" timestamptz NOT NULL)`);
      await tx.query(`CREATE INDEX sales_data_timestamp_idx ON public.sales_data ("timestamp" DESC)`);
      // About one order every 7 minutes for 30 days, busier in the daytime; products 101–108.
      // Order ids start at 100001, clear of the small ids the document's own INSERTs use.
      await tx.query(`
        INSERT INTO public.sales_data (order_id, product_id, quantity, "timestamp")
        SELECT 100000 + n,
               101 + floor(random() * 8)::int,
               1 + floor(random() * random() * 10)::int,
               t
        FROM (SELECT row_number() OVER (ORDER BY t) AS n, t
              FROM generate_series(now() - interval '30 days', now(), interval '7 minutes') AS t
              WHERE random() < 0.45 + 0.4 * sin(pi() * extract(hour FROM t AT TIME ZONE 'UTC') / 24)) AS orders`);
    });
    created.push('sales_data');
  }

  if (!(await exists('measurements'))) {
    await db.transaction(async (tx) => {
      await tx.query(`CREATE TABLE public.measurements (
        "timestamp" timestamptz NOT NULL,
        value double precision)`);
      // A plain table, so that sensor_data stays the catalog's first hypertable (the plugin's default ad hoc table).
      await tx.query(`CREATE INDEX measurements_timestamp_idx ON public.measurements ("timestamp" DESC)`);
      // A twice-daily swing around 10 with a little noise, every 5 minutes for 7 days ending now.
      await tx.query(`
        INSERT INTO public.measurements ("timestamp", value)
        SELECT t, round((10 + 2 * sin(4 * pi() * extract(epoch FROM t) / 86400) + (random() - 0.5))::numeric, 3)::float8
        FROM generate_series(
               to_timestamp(floor(extract(epoch FROM now()) / 300) * 300) - interval '7 days',
               to_timestamp(floor(extract(epoch FROM now()) / 300) * 300),
               interval '5 minutes') AS t`);
    });
    created.push('measurements');
  }
  return { created };
}
