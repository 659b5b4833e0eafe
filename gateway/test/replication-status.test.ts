import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createOwnCluster, sleep, type OwnCluster } from './helpers/own-cluster';
import { forEachDatabase, NO_SHEDDING, TOKENS, TOKEN_SPEC } from './helpers/test-context';
import { api } from './helpers/http';

/**
 * `GET /api/v1/replication`: a publication on one cluster of the test's own and a subscription
 * to it on another (ports 55530 / 55531, wal_level=logical), each watched by a gateway; and
 * the TimescaleDB chunk report and action on the embedded database (and their refusal on
 * PostgreSQL without TimescaleDB).
 */

const PUB_PORT = 55530;
const SUB_PORT = 55531;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting until ${what}`);
    }
    await sleep(200);
  }
}

async function startApp(databaseUrl: string): Promise<{ app: FastifyInstance; baseUrl: string }> {
  const app = await buildApp(
    loadConfig({ GATEWAY_TOKENS: TOKEN_SPEC, LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, ...NO_SHEDDING })
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, baseUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

async function get(baseUrl: string, path: string, token: string = TOKENS.admin) {
  const res = await fetch(baseUrl + path, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, text, body };
}

describe('replication status: a publication and a subscription on clusters of their own', () => {
  let pub: OwnCluster;
  let sub: OwnCluster;
  let pubGateway: { app: FastifyInstance; baseUrl: string };
  let subGateway: { app: FastifyInstance; baseUrl: string };

  before(async () => {
    const conf = [
      'wal_level = logical',
      'max_wal_senders = 5',
      'max_replication_slots = 5',
      'max_logical_replication_workers = 4',
    ];
    [pub, sub] = await Promise.all([
      createOwnCluster({ port: PUB_PORT, conf }),
      createOwnCluster({ port: SUB_PORT, conf }),
    ]);
    await pub.query('CREATE DATABASE rep_source');
    await sub.query('CREATE DATABASE rep_target');
    const ddl = `CREATE TABLE rep_events (id int PRIMARY KEY, "timestamp" timestamptz NOT NULL, value double precision)`;
    await pub.query(ddl, [], 'rep_source');
    await sub.query(ddl, [], 'rep_target');
    await pub.query(`CREATE TABLE rep_unpublished (id int PRIMARY KEY)`, [], 'rep_source');
    await pub.query(`INSERT INTO rep_events SELECT i, now(), i FROM generate_series(1, 50) i`, [], 'rep_source');
    await pub.query(`CREATE PUBLICATION rep_events_pub FOR TABLE rep_events`, [], 'rep_source');
    await sub.query(
      `CREATE SUBSCRIPTION rep_events_sub CONNECTION 'host=127.0.0.1 port=${PUB_PORT} dbname=rep_source user=postgres' PUBLICATION rep_events_pub`,
      [],
      'rep_target'
    );
    await until(
      'the subscription copied the table',
      async () =>
        (await sub.query<{ n: number }>(`SELECT count(*)::int AS n FROM rep_events`, [], 'rep_target'))[0].n === 50
    );
    [pubGateway, subGateway] = await Promise.all([startApp(pub.url('rep_source')), startApp(sub.url('rep_target'))]);
  });

  after(async () => {
    await pubGateway?.app.close();
    await subGateway?.app.close();
    // The subscription goes first, so its slot on the publisher is dropped with it.
    await sub?.query('DROP SUBSCRIPTION IF EXISTS rep_events_sub', [], 'rep_target').catch(() => undefined);
    await sub?.destroy();
    await pub?.destroy();
  });

  it('shows the publisher: its role, the subscriber streaming from it, its slot and retained WAL, the publication with its tables', async () => {
    // Written after the copy: the subscriber's walsender has something to send.
    await pub.query(`INSERT INTO rep_events SELECT i, now(), i FROM generate_series(51, 60) i`, [], 'rep_source');
    const res = await get(pubGateway.baseUrl, '/api/v1/replication');
    assert.equal(res.status, 200, res.text);
    const s = res.body;
    assert.equal(s.role, 'primary');
    assert.equal(s.errors, undefined, JSON.stringify(s.errors));
    const walsender = s.standbys.find((x: any) => x.applicationName === 'rep_events_sub');
    assert.ok(walsender, JSON.stringify(s.standbys));
    assert.equal(walsender.state, 'streaming');
    assert.match(walsender.sentLsn, /^[0-9A-F]+\/[0-9A-F]+$/);
    assert.equal(typeof walsender.replayLagBytes, 'number');
    const slot = s.slots.find((x: any) => x.name === 'rep_events_sub');
    assert.deepEqual(
      { type: slot.type, plugin: slot.plugin, database: slot.database, active: slot.active },
      { type: 'logical', plugin: 'pgoutput', database: 'rep_source', active: true }
    );
    assert.ok(slot.retainedBytes >= 0, JSON.stringify(slot));
    assert.deepEqual(s.publications, [
      {
        name: 'rep_events_pub',
        allTables: false,
        operations: ['insert', 'update', 'delete', 'truncate'],
        tables: ['rep_events'],
      },
    ]);
    assert.deepEqual(s.subscriptions, []);
    assert.equal(s.missingChunks, undefined, 'no TimescaleDB here');
  });

  it('shows the subscriber: the subscription, its publication and state', async () => {
    await until(
      'the subscriber replayed the new rows',
      async () =>
        (await sub.query<{ n: number }>(`SELECT count(*)::int AS n FROM rep_events`, [], 'rep_target'))[0].n === 60
    );
    const res = await get(subGateway.baseUrl, '/api/v1/replication');
    assert.equal(res.status, 200, res.text);
    const [subscription] = res.body.subscriptions;
    assert.equal(subscription.name, 'rep_events_sub');
    assert.equal(subscription.enabled, true);
    assert.deepEqual(subscription.publications, ['rep_events_pub']);
    assert.equal(subscription.state, 'streaming');
    assert.equal(subscription.workerRunning, true);
    assert.deepEqual(subscription.tables, { ready: 1 });
    assert.match(subscription.receivedLsn, /^[0-9A-F]+\/[0-9A-F]+$/);
  });

  it('reports a disabled subscription as such', async () => {
    await sub.query('ALTER SUBSCRIPTION rep_events_sub DISABLE', [], 'rep_target');
    try {
      await until(
        'the worker stopped',
        async () =>
          (
            await sub.query(
              `SELECT 1 FROM pg_stat_subscription WHERE subname = 'rep_events_sub' AND pid IS NOT NULL`,
              [],
              'rep_target'
            )
          ).length === 0
      );
      const res = await get(subGateway.baseUrl, '/api/v1/replication');
      assert.equal(res.body.subscriptions[0].state, 'disabled');
      // The publisher's slot now waits, inactive, holding WAL.
      await until(
        'the slot is inactive',
        async () => (await get(pubGateway.baseUrl, '/api/v1/replication')).body.slots[0].active === false
      );
    } finally {
      await sub.query('ALTER SUBSCRIPTION rep_events_sub ENABLE', [], 'rep_target');
    }
  });

  it('exports the retained WAL and standby lag as Prometheus gauges', async () => {
    let text = '';
    // After the re-enable above, the subscriber's walsender comes back within a few seconds.
    await until('the walsender is back', async () => {
      text = await (await fetch(pubGateway.baseUrl + '/metrics')).text();
      return text.includes('gateway_replication_standby_lag_bytes{application_name="rep_events_sub"}');
    });
    assert.match(
      text,
      /gateway_replication_slot_retained_wal_bytes\{slot="rep_events_sub",type="logical",active="(true|false)"\} \d+/
    );
    assert.match(text, /gateway_replication_standby_lag_bytes\{application_name="rep_events_sub"\} \d+/);
  });

  it('is for admins only', async () => {
    const res = await get(pubGateway.baseUrl, '/api/v1/replication', TOKENS.reader);
    assert.equal(res.status, 403);
    assert.equal(res.body.error, 'forbidden');
    assert.match(res.body.message, /admin/);
  });
});

forEachDatabase(
  (getCtx) => {
    it('lists hypertable chunks missing from a publication that names the hypertable, and adds them', async () => {
      const ctx = getCtx();
      if (!ctx.timescale) {
        const res = await api(ctx, '/api/v1/replication/publications/rep_metrics_pub/chunks', { method: 'POST' });
        assert.equal(res.status, 400);
        assert.equal(res.body.error, 'not_supported');
        const status = await api(ctx, '/api/v1/replication');
        assert.equal(status.status, 200, status.text);
        assert.equal(status.body.missingChunks, undefined);
        assert.deepEqual(status.body.publications.find((p: any) => p.name === 'rep_metrics_pub').tables, [
          'rep_metrics',
        ]);
        return;
      }
      const before = await api(ctx, '/api/v1/replication');
      assert.equal(before.status, 200, before.text);
      const missing = before.body.missingChunks.filter((m: any) => m.publication === 'rep_metrics_pub');
      assert.equal(missing.length, 1, JSON.stringify(before.body));
      assert.equal(missing[0].hypertable, 'rep_metrics');
      const chunks = (
        await ctx.db.query<{ c: string }>(
          `SELECT chunk_schema || '.' || chunk_name AS c FROM timescaledb_information.chunks WHERE hypertable_name = 'rep_metrics' ORDER BY 1`
        )
      ).rows.map((r) => r.c);
      assert.equal(chunks.length, 3);
      assert.deepEqual(missing[0].chunks, chunks);

      const added = await api(ctx, '/api/v1/replication/publications/rep_metrics_pub/chunks', { method: 'POST' });
      assert.equal(added.status, 200, added.text);
      assert.deepEqual(added.body, { publication: 'rep_metrics_pub', added: chunks });
      const after = await api(ctx, '/api/v1/replication');
      assert.deepEqual(
        after.body.missingChunks.filter((m: any) => m.publication === 'rep_metrics_pub'),
        []
      );
      const published = after.body.publications.find((p: any) => p.name === 'rep_metrics_pub').tables;
      for (const c of chunks) {
        assert.ok(published.includes(c), `${c} in ${published}`);
      }

      // A new chunk is missing again, until added.
      await ctx.db.query(`INSERT INTO rep_metrics VALUES ('2026-03-01T00:00:00Z', 1)`);
      const again = await api(ctx, '/api/v1/replication');
      assert.equal(again.body.missingChunks.find((m: any) => m.publication === 'rep_metrics_pub').chunks.length, 1);
      const second = await api(ctx, '/api/v1/replication/publications/rep_metrics_pub/chunks', { method: 'POST' });
      assert.equal(second.body.added.length, 1);
      const nothing = await api(ctx, '/api/v1/replication/publications/rep_metrics_pub/chunks', { method: 'POST' });
      assert.deepEqual(nothing.body.added, []);
    });

    it('answers an unknown publication with 404 naming it', async () => {
      const ctx = getCtx();
      if (!ctx.timescale) {
        return;
      }
      const res = await api(ctx, '/api/v1/replication/publications/nope_pub/chunks', { method: 'POST' });
      assert.equal(res.status, 404);
      assert.equal(res.body.error, 'unknown_publication');
      assert.deepEqual(res.body.details, { publication: 'nope_pub' });
    });

    it('refuses the chunk action without the admin scope', async () => {
      const res = await api(getCtx(), '/api/v1/replication/publications/rep_metrics_pub/chunks', {
        method: 'POST',
        token: TOKENS.writer,
      });
      assert.equal(res.status, 403);
    });
  },
  {
    setup: async (db, { timescale }) => {
      await db.query(`CREATE TABLE rep_metrics ("timestamp" timestamptz NOT NULL, value double precision)`);
      if (timescale) {
        await db.query(
          `SELECT create_hypertable('rep_metrics', 'timestamp', chunk_time_interval => interval '7 days')`
        );
      }
      // CREATE PUBLICATION takes the chunks there are; the ones made after it are left out.
      await db.query(`CREATE PUBLICATION rep_metrics_pub FOR TABLE rep_metrics`);
      if (timescale) {
        await db.query(
          `INSERT INTO rep_metrics SELECT '2026-01-01T00:00:00Z'::timestamptz + i * interval '7 days', i FROM generate_series(0, 2) i`
        );
      }
    },
  }
);
