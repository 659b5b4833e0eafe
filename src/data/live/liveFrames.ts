import { StreamingDataFrame, StreamingFrameAction, type DataFrame, type DataFrameJSON } from '@grafana/data';
import type { DataFrameJSON as WireFrame, QueryResult, StreamFrameEvent } from 'timescaledb-gateway/contract';

/** Points a live series keeps at most, whatever its window (the gateway caps a window's points too). */
const MAX_POINTS = 100_000;

interface Series {
  frame: WireFrame;
  timeIndex: number;
}

/** Frames of one series are matched by name, field names and labels: the gateway keeps them stable. */
const seriesKey = (frame: WireFrame): string =>
  JSON.stringify([frame.schema.name ?? '', frame.schema.fields.map((f) => [f.name, f.labels ?? {}])]);

const copy = (frame: WireFrame): WireFrame => ({
  schema: frame.schema,
  data: { values: frame.data.values.map((column) => [...column]) },
});

/**
 * One live query's frames in the browser: the history, then every delta of the stream. A delta
 * is authoritative from its `from` on: points at or after it are dropped from every series and
 * the delta's rows appended (`from` null: everything is replaced). Points older than the
 * window are dropped as time moves on.
 */
export class LiveFrames {
  private series = new Map<string, Series>();
  private executedQueryString?: string;
  private error?: Pick<QueryResult, 'error' | 'errorCode' | 'status'>;

  constructor(
    readonly refId: string,
    private readonly windowMs: number
  ) {}

  /** The history's result (from /api/v1/query). */
  reset(result: QueryResult | undefined): void {
    this.series.clear();
    this.apply(
      { refId: this.refId, from: null, to: 0, frames: result?.frames ?? [], ...pickError(result) },
      result?.executedQueryString
    );
  }

  apply(event: StreamFrameEvent, executedQueryString = event.executedQueryString): void {
    this.executedQueryString = executedQueryString ?? this.executedQueryString;
    if (event.error) {
      this.error = pickError(event);
      return;
    }
    this.error = undefined;
    if (event.from === null) {
      this.series.clear();
    } else {
      for (const s of this.series.values()) {
        cutFrom(s, event.from);
      }
    }
    for (const frame of event.frames) {
      const timeIndex = frame.schema.fields.findIndex((f) => f.type === 'time');
      const key = seriesKey(frame);
      const existing = this.series.get(key);
      if (!existing || timeIndex < 0) {
        this.series.set(key, { frame: copy(frame), timeIndex });
        continue;
      }
      frame.data.values.forEach((column, i) => existing.frame.data.values[i].push(...column));
    }
  }

  get failure(): Pick<QueryResult, 'error' | 'errorCode' | 'status'> | undefined {
    return this.error;
  }

  /** The frames as of `now`, the window slid to it, as Grafana's streaming frames. */
  toDataFrames(now: number): DataFrame[] {
    const frames: DataFrame[] = [];
    for (const s of this.series.values()) {
      if (s.timeIndex >= 0) {
        dropBefore(s, now - this.windowMs);
      }
      const frame = StreamingDataFrame.fromDataFrameJSON(s.frame as unknown as DataFrameJSON, {
        maxLength: MAX_POINTS,
        maxDelta: this.windowMs,
        action: StreamingFrameAction.Replace,
      });
      frame.refId = this.refId;
      frame.meta = {
        ...frame.meta,
        ...(this.executedQueryString ? { executedQueryString: this.executedQueryString } : {}),
      };
      frames.push(frame);
    }
    return frames;
  }

  /** Points held over all series (for tests and the inspector). */
  get length(): number {
    let n = 0;
    for (const s of this.series.values()) {
      n += s.frame.data.values[0]?.length ?? 0;
    }
    return n;
  }
}

const pickError = (r: Partial<QueryResult> | undefined) =>
  r?.error
    ? { error: r.error, ...(r.errorCode ? { errorCode: r.errorCode } : {}), ...(r.status ? { status: r.status } : {}) }
    : {};

/** Keeps the rows whose time passes `keep` (a null time stays: it is not in any window). */
const keepRows = (s: Series, keep: (t: number) => boolean) => {
  const times = s.frame.data.values[s.timeIndex] as Array<number | null>;
  const kept: number[] = [];
  times.forEach((t, i) => {
    if (t === null || keep(t)) {
      kept.push(i);
    }
  });
  if (kept.length < times.length) {
    s.frame.data.values = s.frame.data.values.map((column) => kept.map((i) => column[i]));
  }
};

const cutFrom = (s: Series, from: number) => {
  if (s.timeIndex >= 0) {
    keepRows(s, (t) => t < from);
  }
};

const dropBefore = (s: Series, start: number) => {
  keepRows(s, (t) => t >= start);
  const over = (s.frame.data.values[0]?.length ?? 0) - MAX_POINTS;
  if (over > 0) {
    s.frame.data.values.forEach((column) => column.splice(0, over));
  }
};
