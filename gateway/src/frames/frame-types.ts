import type { DataFrameJSON, FieldType, FrameNotice } from '../contract/query';

/** A column of a frame being shaped; values are JSON-ready (times as epoch ms). */
export interface WorkField {
  name: string;
  type: FieldType;
  labels?: Record<string, string>;
  values: unknown[];
}

export interface WorkFrame {
  fields: WorkField[];
  meta: {
    executedQueryString?: string;
    type?: string;
    typeVersion?: [number, number];
    notices?: FrameNotice[];
    [key: string]: unknown;
  };
}

export function addNotice(frame: WorkFrame, notice: FrameNotice): void {
  (frame.meta.notices ??= []).push(notice);
}

export function rowCount(frame: WorkFrame): number {
  return frame.fields.length === 0 ? 0 : frame.fields[0].values.length;
}

export function toDataFrameJSON(frame: WorkFrame, refId: string): DataFrameJSON {
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(frame.meta)) {
    if (v !== undefined) {
      meta[k] = v;
    }
  }
  return {
    schema: {
      refId,
      meta,
      fields: frame.fields.map((f) =>
        f.labels ? { name: f.name, type: f.type, labels: f.labels } : { name: f.name, type: f.type }
      ),
    },
    data: { values: frame.fields.map((f) => f.values) },
  };
}
