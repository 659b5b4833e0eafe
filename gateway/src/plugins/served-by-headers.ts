import type { FastifyInstance } from 'fastify';
import { ServedByRecord, runInServedByRecord } from '../db/served-by';

declare module 'fastify' {
  interface FastifyRequest {
    /** Where this request's reads were served (with DATABASE_READ_URL only). */
    servedBy?: ServedByRecord;
  }
}

/** Header values stay printable ASCII, whatever an error message held. */
const headerSafe = (text: string) => text.replace(/[^\x20-\x7e]/g, '?');

/**
 * With read replicas, every response that read from the database says where:
 * `X-Served-By: primary` or the replica's name (several, comma separated, when a request ran
 * several queries), `X-Replica-Lag` (seconds the most lagging replica that served may be
 * behind), and `X-Replica-Skipped` (replicas passed over, with the reason).
 */
export function installServedByHeaders(app: FastifyInstance): void {
  if (!app.db.replicaStatus) {
    return;
  }
  // preHandler, not onRequest: body parsing runs on stream events that would leave the record's context.
  app.addHook('preHandler', (request, _reply, done) => {
    const record = new ServedByRecord();
    request.servedBy = record;
    runInServedByRecord(record, done);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const record = request.servedBy;
    if (!record || (record.served.length === 0 && record.skipped.length === 0)) {
      return payload;
    }
    const servers = [...new Set(record.served.map((s) => s.server))];
    if (servers.length) {
      void reply.header('x-served-by', headerSafe(servers.join(', ')));
    }
    const lagging = record.mostLagging();
    if (lagging) {
      void reply.header('x-replica-lag', ((lagging.lagMs ?? 0) / 1000).toFixed(3));
    }
    if (record.skipped.length) {
      void reply.header(
        'x-replica-skipped',
        headerSafe(record.skipped.map((s) => `${s.server}: ${s.reason}`).join('; '))
      );
    }
    return payload;
  });
}
