import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Principal } from '../auth/principal';
import { assertTableAllowed, hasScope } from '../auth';
import type { ResolvedTable } from '../catalog/catalog';
import type { GatewayQuery } from '../contract/query';
import type { StreamRequest } from '../contract/stream';
import { ApiError } from '../errors';
import { onPrimaryOnly } from '../db/primary-only';
import { runQueryRequest } from '../query/run-request';
import { checkPanelInterval, MAX_QUERIES_PER_REQUEST } from '../limits/bounds';
import { changeKeyOf, TABLE_CHANGES_CHANNEL } from './change-hints';
import { ensureChangeTrigger } from './change-trigger';
import { LiveQuery, type Delta, type LiveSubscriber } from './live-query';
import { LiveStream, type StreamQuery } from './live-stream';
import { liveKeyOf, liveSpecOf, trimFrames, type LiveSpec } from './live-window';
import { SseChannel } from './sse-channel';
import { liveMetrics } from './live-metrics';

export interface LiveStats {
  streams: number;
  /** Distinct live queries being re-run. */
  queries: number;
  /** Shared runs so far, over all live queries. */
  runs: number;
  /** Unsent bytes per open stream. */
  buffered: number[];
  skipped: number;
}

/**
 * Every live stream of one app and the distinct live queries behind them. Streams that ask
 * for the same query (normalised body) share one LiveQuery: a change costs one run whatever
 * the number of panels. Change hints come on TABLE_CHANGES_CHANNEL (in-process from gateway
 * writes, NOTIFY from the trigger), after a lost LISTEN connection comes back, and from a
 * slow safety poll.
 */
export class LiveHub {
  private readonly queries = new Map<string, LiveQuery>();
  private readonly streams = new Set<LiveStream>();
  private readonly perToken = new Map<string, number>();
  /** Streams open or being opened (past `admit`). */
  private admitted = 0;
  private readonly triggers = new Map<string, Promise<void>>();
  private hints: Promise<() => Promise<void>> | null = null;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;

  private readonly metrics: ReturnType<typeof liveMetrics>;

  constructor(private readonly app: FastifyInstance) {
    this.metrics = liveMetrics(app.metrics, {
      openStreams: () => this.streams.size,
      distinctQueries: () => this.queries.size,
    });
  }

  /**
   * Checks the request (answering 4xx/5xx JSON while no byte is sent), then sends the headers
   * and keeps the response open as the stream.
   */
  async open(request: { body: StreamRequest; principal?: Principal }, reply: FastifyReply): Promise<void> {
    const principal = request.principal!;
    const req = request.body;
    const planned = await this.plan(principal, req);
    // The place is taken now: concurrent requests cannot all pass the limits while they wait below.
    this.admit(principal);
    const queries: StreamQuery[] = [];
    try {
      await this.listenForHints();
      for (const p of planned) {
        const cursor = req.cursors?.[p.refId] ?? req.cursor;
        queries.push({
          refId: p.refId,
          live: await this.acquire(principal, p.spec, p.table),
          cursor: cursor !== undefined ? Number(cursor) : null,
        });
      }
    } catch (err) {
      this.discharge(principal);
      for (const q of queries) {
        this.dropIfUnused(q.live);
      }
      throw err;
    }
    reply.hijack();
    if (reply.raw.destroyed || reply.request.raw.socket?.destroyed) {
      // Gone while the queries were being prepared: its 'close' has come already.
      this.discharge(principal);
      for (const q of queries) {
        this.dropIfUnused(q.live);
      }
      return;
    }
    const live = this.app.config.live;
    const channel = new SseChannel(reply.raw, reply.getHeaders(), live.bufferBytes, live.pingMs);
    const stream = new LiveStream(
      principal,
      channel,
      live.maxStreamMs,
      (s, q, sub) => this.release(s, q, sub),
      (err) => this.app.log.warn({ err }, 'a live catch-up run failed')
    );
    this.streams.add(stream);
    reply.raw.once('close', () => stream.close());
    if (this.closed) {
      return stream.end('shutting_down');
    }
    stream.start(queries);
  }

  stats(): LiveStats {
    let runs = 0;
    for (const q of this.queries.values()) {
      runs += q.runs;
    }
    const streams = [...this.streams];
    return {
      streams: streams.length,
      queries: this.queries.size,
      runs,
      buffered: streams.map((s) => s.channel.buffered),
      skipped: streams.reduce((n, s) => n + s.skipped, 0),
    };
  }

  /** Ends every stream (an `end` event: clients reconnect elsewhere) and stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    for (const s of [...this.streams]) {
      s.end('shutting_down');
    }
    const off = await this.hints?.catch(() => null);
    await off?.();
  }

  /** Every check that can fail before a byte is sent; the specs of the visible queries. */
  private async plan(
    principal: Principal,
    req: StreamRequest
  ): Promise<Array<{ refId: string; spec: LiveSpec; table: ResolvedTable | null }>> {
    if (req.queries.length > MAX_QUERIES_PER_REQUEST) {
      throw new ApiError(
        'too_many_queries',
        `A request may hold at most ${MAX_QUERIES_PER_REQUEST} queries, not ${req.queries.length}`
      );
    }
    checkPanelInterval(req.intervalMs);
    const seen = new Set<string>();
    const out: Array<{ refId: string; spec: LiveSpec; table: ResolvedTable | null }> = [];
    for (const q of req.queries) {
      if (seen.has(q.refId)) {
        throw new ApiError('duplicate_ref_id', `Two queries have refId ${JSON.stringify(q.refId)}`, { refId: q.refId });
      }
      seen.add(q.refId);
      if (q.hide) {
        continue;
      }
      const table = await this.authorize(principal, q);
      // A panel's own window and interval, when the stream multiplexes several panels.
      const own = Object.fromEntries(Object.entries(req.contexts?.[q.refId] ?? {}).filter(([, v]) => v !== undefined));
      checkPanelInterval(own.intervalMs as number | undefined);
      out.push({ refId: q.refId, spec: liveSpecOf({ ...req, ...own }, q, this.app.config.maxRowLimit), table });
    }
    if (out.length === 0) {
      throw new ApiError('no_live_queries', 'Every query of the stream is hidden: nothing to stream');
    }
    return out;
  }

  private async authorize(principal: Principal, q: GatewayQuery): Promise<ResolvedTable | null> {
    if (q.mode === 'sql') {
      if (!hasScope(principal, 'sql')) {
        throw new ApiError('forbidden', `Token "${principal.name}" lacks the "sql" scope needed for SQL mode`, {
          scope: 'sql',
        });
      }
      if (principal.tables) {
        throw new ApiError(
          'forbidden',
          `Token "${principal.name}" is limited to some tables, so it cannot run raw SQL`,
          { token: principal.name }
        );
      }
      return null;
    }
    if (!hasScope(principal, 'read')) {
      throw new ApiError('forbidden', `Token "${principal.name}" lacks the "read" scope`, { scope: 'read' });
    }
    const table = await this.app.catalog.resolveTableFresh(q.table);
    assertTableAllowed(principal, table.name);
    return table;
  }

  private admit(principal: Principal): void {
    const { maxStreams, maxStreamsPerToken } = this.app.config.live;
    const mine = this.perToken.get(principal.name) ?? 0;
    if (mine >= maxStreamsPerToken) {
      throw new ApiError(
        'too_many_streams',
        `Token "${principal.name}" already has ${mine} live streams open (LIVE_MAX_STREAMS_PER_TOKEN)`,
        {
          open: mine,
          max: maxStreamsPerToken,
        }
      );
    }
    if (this.admitted >= maxStreams) {
      throw new ApiError(
        'live_streams_exhausted',
        `The gateway already serves ${this.admitted} live streams (LIVE_MAX_STREAMS); try again later`,
        {
          open: this.admitted,
          max: maxStreams,
        }
      );
    }
    this.perToken.set(principal.name, mine + 1);
    this.admitted++;
  }

  private async acquire(principal: Principal, spec: LiveSpec, table: ResolvedTable | null): Promise<LiveQuery> {
    const key = liveKeyOf(spec);
    const existing = this.queries.get(key);
    if (existing) {
      return existing;
    }
    if (table) {
      await this.ensureTrigger(table);
    }
    const again = this.queries.get(key);
    if (again) {
      return again;
    }
    const live = new LiveQuery(
      key,
      spec,
      table ? changeKeyOf(table) : null,
      (from, to) => this.runDelta(principal, spec, from, to),
      (err) => this.app.log.warn({ err }, 'a live query run failed')
    );
    this.queries.set(key, live);
    return live;
  }

  private release(stream: LiveStream, live: LiveQuery, sub: LiveSubscriber): void {
    if (this.streams.delete(stream)) {
      this.discharge(stream.principal);
    }
    live.subscribers.delete(sub);
    this.dropIfUnused(live);
  }

  /** Gives back the place `admit` took. */
  private discharge(principal: Principal): void {
    this.admitted--;
    const n = (this.perToken.get(principal.name) ?? 1) - 1;
    if (n > 0) {
      this.perToken.set(principal.name, n);
    } else {
      this.perToken.delete(principal.name);
    }
  }

  private dropIfUnused(live: LiveQuery): void {
    if (live.subscribers.size === 0 && this.queries.get(live.key) === live) {
      live.close();
      this.queries.delete(live.key);
    }
  }

  /** One run of a live query through the ordinary query path (limits, read-only, errors per query). */
  private async runDelta(principal: Principal, spec: LiveSpec, from: number | null, to: number): Promise<Delta> {
    const start = from ?? to - spec.windowMs;
    this.metrics.runs.inc();
    // On the primary: the write that woke this run may not be on a replica yet.
    const response = await onPrimaryOnly(() =>
      runQueryRequest(this.app, principal, {
        range: { from: String(start), to: String(Math.max(to, start + 1)) },
        intervalMs: spec.intervalMs,
        maxDataPoints: spec.maxDataPoints,
        timezone: spec.timezone,
        queries: [spec.query],
      })
    );
    const result = response.results[spec.query.refId];
    const frames = from === null ? result.frames : trimFrames(result.frames, from);
    return { from, to, body: JSON.stringify({ from, to, ...result, frames }) };
  }

  private ensureTrigger(table: ResolvedTable): Promise<void> {
    if (!this.app.config.live.triggers || !this.app.notifications.databaseNotifications) {
      return Promise.resolve();
    }
    const key = changeKeyOf(table);
    let done = this.triggers.get(key);
    if (!done) {
      done = ensureChangeTrigger(this.app.db, table).then(
        (outcome) => {
          if (outcome === 'installed') {
            this.app.log.info({ table: table.name }, 'live: change trigger installed');
          }
        },
        (err: unknown) =>
          this.app.log.warn(
            { err, table: table.name },
            'live: the change trigger could not be installed; other writers are seen by the safety poll only'
          )
      );
      this.triggers.set(key, done);
    }
    return done;
  }

  /** Subscribes to change hints on first use, and starts the safety poll. */
  private listenForHints(): Promise<unknown> {
    if (!this.hints) {
      this.hints = this.app.notifications.subscribe(TABLE_CHANGES_CHANNEL, (payload) => this.onHint(payload), {
        onResume: () => this.wakeAll(),
      });
      const pollMs = this.app.config.live.pollMs;
      if (pollMs > 0) {
        this.poll = setInterval(() => this.wakeAll(), pollMs);
        this.poll.unref();
      }
    }
    return this.hints;
  }

  private onHint(changeKey: string): void {
    for (const q of this.queries.values()) {
      if (q.changeKey === null || q.changeKey === changeKey) {
        q.wake();
      }
    }
  }

  private wakeAll(): void {
    for (const q of this.queries.values()) {
      q.wake();
    }
  }
}
