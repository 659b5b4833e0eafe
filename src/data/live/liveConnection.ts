import type { FetchResponse } from '@grafana/runtime';
import type {
  GatewayQuery,
  StreamContext,
  StreamEndEvent,
  StreamFrameEvent,
  StreamRequest,
} from 'timescaledb-gateway/contract';
import type { ErrorCode } from 'timescaledb-gateway/contract/error-codes';
import type { Observable, Subscription } from 'rxjs';

import { errorCodeOf } from '../gatewayClient';

import { SseParser } from './sseParser';

/** What one live query of one panel asks for. */
export interface LiveSubscriptionSpec {
  query: GatewayQuery;
  context: Required<Pick<StreamContext, 'range'>> & StreamContext;
  /** Epoch ms up to which the panel already has the data (its history's range end). */
  cursor: number;
}

export type LiveEventHandler = (event: StreamFrameEvent) => void;

/** Opens `POST /api/v1/stream` through the data proxy; unsubscribing aborts it. */
export type StreamOpener = (body: StreamRequest) => Observable<FetchResponse<Uint8Array | undefined>>;

interface Entry {
  spec: LiveSubscriptionSpec;
  cursor: number;
  onEvent: LiveEventHandler;
}

/** Panels subscribing within this time (a dashboard loading) share the first connect. */
const BATCH_MS = 30;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;
const CLEAN_END_RETRY_MS = 100;

/**
 * The one live connection of a data source on a page: every live query of every panel goes over
 * it (a browser has only ~6 connections per origin, so one per panel would starve a dashboard).
 * The stream's body cannot change once sent, so a new or removed subscription reopens it with
 * every query's cursor, and nothing is lost in between; so does the gateway's `end` event
 * (maximum lifetime) and a lost connection, after a growing pause. With no subscription left the
 * request is aborted.
 */
export class LiveConnection {
  private readonly entries = new Map<string, Entry>();
  private next = 0;
  private current: Subscription | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryMs = RETRY_MIN_MS;
  /** How often the stream was (re)opened: one per batch of changes, for tests. */
  opened = 0;

  constructor(private readonly open: StreamOpener) {}

  /** Whether a stream request is open now. */
  get connected(): boolean {
    return this.current !== undefined && !this.current.closed;
  }

  get size(): number {
    return this.entries.size;
  }

  subscribe(spec: LiveSubscriptionSpec, onEvent: LiveEventHandler): () => void {
    const id = `q${++this.next}`;
    this.entries.set(id, { spec, cursor: spec.cursor, onEvent });
    this.schedule(BATCH_MS);
    return () => {
      if (this.entries.delete(id)) {
        if (this.entries.size === 0) {
          this.reopen();
        } else {
          this.schedule(BATCH_MS);
        }
      }
    };
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reopen(), ms);
  }

  private reopen(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.current?.unsubscribe();
    this.current = undefined;
    if (this.entries.size === 0) {
      return;
    }
    this.opened++;
    const parser = new SseParser();
    let failed: { status: number; text: string } | undefined;
    const decoder = new TextDecoder();
    const subscription = this.open(this.body()).subscribe({
      next: (chunk) => {
        if (!chunk.ok) {
          // chunked() reports a refusal (429, 503, 4xx) as chunks of its JSON body.
          failed ??= { status: chunk.status, text: '' };
          failed.text += chunk.data ? decoder.decode(chunk.data, { stream: true }) : '';
          return;
        }
        for (const event of parser.push(chunk.data)) {
          this.handle(event.event, event.data);
        }
      },
      error: (err: unknown) => this.lost(subscription, describeFailure(err)),
      complete: () => this.lost(subscription, failed ? describeRefusal(failed) : undefined),
    });
    this.current = subscription;
  }

  private handle(event: string, data: string): void {
    if (event === 'frame') {
      const frame = JSON.parse(data) as StreamFrameEvent;
      const entry = this.entries.get(frame.refId);
      if (entry) {
        entry.cursor = frame.to;
        this.retryMs = RETRY_MIN_MS;
        entry.onEvent({ ...frame, refId: entry.spec.query.refId });
      }
    } else if (event === 'end') {
      const end = JSON.parse(data) as StreamEndEvent;
      for (const [id, cursor] of Object.entries(end.cursors)) {
        const entry = this.entries.get(id);
        if (entry) {
          entry.cursor = Number(cursor);
        }
      }
    }
  }

  /** The stream ended (lifetime, gateway restart, network, refusal): tell the panels why, come back later. */
  private lost(subscription: Subscription, failure: StreamFailure | undefined): void {
    if (this.current !== subscription && this.current !== undefined) {
      return;
    }
    this.current = undefined;
    if (this.entries.size === 0) {
      return;
    }
    if (failure) {
      for (const entry of this.entries.values()) {
        entry.onEvent({
          refId: entry.spec.query.refId,
          from: entry.cursor,
          to: entry.cursor,
          frames: [],
          error: failure.message,
          ...(failure.code ? { errorCode: failure.code } : {}),
          status: failure.status,
        });
      }
      this.schedule(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      return;
    }
    // A clean end (the stream's lifetime, a gateway shutting down): back soon, from the cursors.
    this.schedule(CLEAN_END_RETRY_MS);
  }

  private body(): StreamRequest {
    const list = [...this.entries.entries()];
    const first = list[0][1].spec.context;
    return {
      range: first.range,
      queries: list.map(([id, e]) => ({ ...e.spec.query, refId: id })),
      cursors: Object.fromEntries(list.map(([id, e]) => [id, String(Math.max(0, Math.floor(e.cursor)))])),
      contexts: Object.fromEntries(list.map(([id, e]) => [id, e.spec.context])),
    };
  }
}

/** Why a stream ended badly: the gateway's code when its refusal carried one. */
interface StreamFailure {
  status: number;
  message: string;
  code?: ErrorCode;
}

const describeFailure = (err: unknown): StreamFailure => {
  const e = err as { status?: number; data?: { message?: string }; message?: string };
  const code = errorCodeOf(e?.data);
  return {
    status: e?.status ?? 0,
    message: e?.data?.message ?? e?.message ?? 'the live stream was lost',
    ...(code ? { code } : {}),
  };
};

/** A refusal (429, 503, 4xx) arrives as the gateway's JSON error body; anything else is shown as text. */
const describeRefusal = (failed: { status: number; text: string }): StreamFailure => {
  const code = errorCodeOf(failed.text);
  let message: string;
  try {
    message = (JSON.parse(failed.text) as { message?: string }).message ?? `HTTP ${failed.status}`;
  } catch {
    message = failed.text || `HTTP ${failed.status}`;
  }
  return { status: failed.status, message, ...(code ? { code } : {}) };
};
