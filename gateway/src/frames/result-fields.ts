import type { FieldType } from '../contract/query';
import type { WorkField } from './frame-types';
import { OID, parsePgTimestamp } from '../pg/value-parsers';

/**
 * Turns database result columns into frame fields with Grafana's PostgreSQL typing:
 * integers, floats and numeric → number; bool → boolean; timestamp(tz) and date → time
 * (epoch ms); json/jsonb → other; bytea → its bytes read as UTF-8 text (Grafana's PostgreSQL
 * data source returns `'\x41424344'::bytea` as "ABCD"); everything else → string (its text form).
 */

export function fieldTypeForOid(oid: number): FieldType {
  switch (oid) {
    case OID.INT2:
    case OID.INT4:
    case OID.INT8:
    case OID.FLOAT4:
    case OID.FLOAT8:
    case OID.NUMERIC:
      return 'number';
    case OID.BOOL:
      return 'boolean';
    case OID.DATE:
    case OID.TIMESTAMP:
    case OID.TIMESTAMPTZ:
      return 'time';
    case OID.JSON:
    case OID.JSONB:
      return 'other';
    default:
      return 'string';
  }
}

function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) {
    return null;
  }
  if (typeof v === 'number') {
    return v;
  }
  if (typeof v === 'bigint') {
    return Number(v);
  }
  if (typeof v === 'string') {
    const n = Number(v);
    if (Number.isNaN(n) && v !== 'NaN') {
      return null;
    }
    return n;
  }
  return null;
}

function toTimeMs(v: unknown): number | null {
  if (v === null || v === undefined) {
    return null;
  }
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isFinite(t) ? t : null;
  }
  if (typeof v === 'number') {
    return v;
  }
  if (typeof v === 'string') {
    // `date` columns arrive as 'YYYY-MM-DD' (midnight UTC, like Grafana's driver); the parser
    // also reads dates before 1 AD ("0044-03-15 BC") and after 9999 the way the drivers read timestamps.
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
      return Date.parse(`${v}T00:00:00Z`);
    }
    const t = parsePgTimestamp(v) ?? Date.parse(v);
    return Number.isFinite(t) ? t : null;
  }
  return null;
}

/** bytea arrives as bytes (embedded) or as PostgreSQL's hex text `\x…` (pg, which keeps it text). */
function byteaText(v: unknown): string | null {
  if (v === null || v === undefined) {
    return null;
  }
  if (v instanceof Uint8Array) {
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  }
  if (typeof v === 'string' && v.startsWith('\\x')) {
    return Buffer.from(v.slice(2), 'hex').toString('utf8');
  }
  return toText(v);
}

function toText(v: unknown): string | null {
  if (v === null || v === undefined) {
    return null;
  }
  if (typeof v === 'string') {
    return v;
  }
  if (v instanceof Date) {
    return v.toISOString();
  }
  if (typeof v === 'object') {
    return JSON.stringify(v);
  }
  return String(v);
}

export function convertValue(type: FieldType, v: unknown, oid?: number): unknown {
  if (oid === OID.BYTEA) {
    return byteaText(v);
  }
  switch (type) {
    case 'number': {
      const n = toNumber(v);
      // JSON has no NaN/Infinity; Grafana's JSON encoder writes them as null too.
      return n === null || !Number.isFinite(n) ? null : n;
    }
    case 'time':
      return toTimeMs(v);
    case 'boolean':
      return v === null || v === undefined ? null : Boolean(v);
    case 'other':
      return v === undefined ? null : v;
    default:
      return toText(v);
  }
}

export interface ResultLike {
  rows: Array<Record<string, unknown>>;
  fields: Array<{ name: string; dataTypeID: number }>;
}

/** Columnar fields from row objects; `rename` maps result column names to display names. */
export function resultToFields(result: ResultLike, rename?: ReadonlyMap<string, string>): WorkField[] {
  return result.fields.map((f) => {
    const type = fieldTypeForOid(f.dataTypeID);
    const values = new Array(result.rows.length);
    for (let i = 0; i < result.rows.length; i++) {
      values[i] = convertValue(type, result.rows[i][f.name], f.dataTypeID);
    }
    return { name: rename?.get(f.name) ?? f.name, type, values };
  });
}
