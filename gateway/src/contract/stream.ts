import { Type, type Static } from 'typebox';
import { QueryRequest, QueryResult, TimeRange } from './query';

export const StreamContext = Type.Object({
  range: Type.Optional(TimeRange),
  intervalMs: Type.Optional(Type.Number({ minimum: 0 })),
  maxDataPoints: Type.Optional(Type.Integer({ minimum: 1 })),
  timezone: Type.Optional(Type.String()),
});
export type StreamContext = Static<typeof StreamContext>;

/**
 * `POST /api/v1/stream`: the body of `/api/v1/query` plus where the client stands. The range's
 * width is the sliding window; its end is taken as "now". A cursor is the `id` (epoch ms) of
 * the last `frame` event received: the stream then starts by re-sending what may have changed
 * since (a few buckets before it). Without one, the first event holds the whole window.
 */
export const StreamRequest = Type.Object({
  ...QueryRequest.properties,
  /** Applies to every query without its own entry in `cursors`. */
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$' })),
  /** Per refId: one stream multiplexes queries that joined at different times. */
  cursors: Type.Optional(Type.Record(Type.String(), Type.String({ pattern: '^[0-9]{1,16}$' }))),
  /**
   * Per refId: the panel's own window, interval and point budget, for queries of different
   * panels multiplexed on one stream. Unset fields come from the top level.
   */
  contexts: Type.Optional(Type.Record(Type.String(), StreamContext)),
});
export type StreamRequest = Static<typeof StreamRequest>;

/**
 * The `data` of an SSE `frame` event. The client drops its points of this refId with a time at or
 * after `from` (all of them when `from` is null) and appends these frames; `to` is the cursor.
 * A query that failed carries the error fields of QueryResult instead of frames.
 */
export const StreamFrameEvent = Type.Object({
  refId: Type.String(),
  from: Type.Union([Type.Number(), Type.Null()]),
  to: Type.Number(),
  ...QueryResult.properties,
});
export type StreamFrameEvent = Static<typeof StreamFrameEvent>;

/** The `data` of the last event, `end`: reconnect with `cursors` to continue without a gap. */
export const StreamEndEvent = Type.Object({
  reason: Type.Union([Type.Literal('max_lifetime'), Type.Literal('shutting_down')]),
  cursors: Type.Record(Type.String(), Type.String()),
});
export type StreamEndEvent = Static<typeof StreamEndEvent>;
