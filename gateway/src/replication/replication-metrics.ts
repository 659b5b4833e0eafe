import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import { readReplicationStatus } from './replication-status';

/**
 * Replication gauges, read when /metrics is scraped: the lag of the gateway's read replicas
 * (from its own measurements, no query), and from the database the replay lag of each standby
 * and the WAL each replication slot retains. A scrape while the database is away just leaves
 * the database gauges out.
 */
export function installReplicationMetrics(app: FastifyInstance): void {
  const registers = [app.metrics];
  if (app.db.replicaStatus) {
    new Gauge({
      name: 'gateway_read_replica_lag_seconds',
      help: 'How far behind the primary each read replica may be (WAL position based upper bound); -1 when unknown',
      labelNames: ['replica', 'state'] as const,
      registers,
      collect() {
        this.reset();
        for (const r of app.db.replicaStatus!()) {
          this.set({ replica: r.name, state: r.state }, r.lagMs === null ? -1 : r.lagMs / 1000);
        }
      },
    });
  }
  if (app.db.driver !== 'postgres') {
    return;
  }
  // One read serves both gauges; prom-client awaits an async collect.
  let reading: Promise<void> | null = null;
  const refresh = (): Promise<void> =>
    (reading ??= readReplicationStatus(app.db, false)
      .then((status) => {
        standbyLag.reset();
        retained.reset();
        for (const s of status.standbys) {
          if (s.replayLagBytes !== null) {
            standbyLag.set({ application_name: s.applicationName }, s.replayLagBytes);
          }
        }
        for (const s of status.slots) {
          if (s.retainedBytes !== null) {
            retained.set({ slot: s.name, type: s.type, active: String(s.active) }, s.retainedBytes);
          }
        }
      })
      .catch(() => {
        standbyLag.reset();
        retained.reset();
      })
      .finally(() => {
        reading = null;
      }));
  const standbyLag: Gauge<'application_name'> = new Gauge({
    name: 'gateway_replication_standby_lag_bytes',
    help: 'WAL a standby or logical subscriber has yet to replay (pg_stat_replication)',
    labelNames: ['application_name'] as const,
    registers,
    collect: refresh,
  });
  const retained: Gauge<'slot' | 'type' | 'active'> = new Gauge({
    name: 'gateway_replication_slot_retained_wal_bytes',
    help: 'WAL kept on disk for a replication slot',
    labelNames: ['slot', 'type', 'active'] as const,
    registers,
    collect: refresh,
  });
}
