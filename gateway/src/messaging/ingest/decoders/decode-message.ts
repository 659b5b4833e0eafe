import type { CsvDecoderConfig, DecoderConfig, JsonDecoderConfig, LineProtocolDecoderConfig } from '../ingest-config';
import { parseCsvMessage } from './csv';
import { DecodeError } from './decode-error';
import { parseLineProtocol } from './line-protocol';

export type Row = Record<string, unknown>;

export interface Decoded {
  rows: Row[];
  /** A top-level field of the message (JSON object messages), for the message id. */
  field(name: string): unknown;
}

/** payload bytes → rows named by column, before the table's checks (ingest-writer.ts does those). */
export type MessageDecoder = (payload: Buffer) => Decoded;

export function messageDecoder(config: DecoderConfig): MessageDecoder {
  switch (config.format) {
    case 'json':
      return jsonDecoder(config);
    case 'line-protocol':
      return lineProtocolDecoder(config);
    case 'csv':
      return csvDecoder(config);
  }
}

const NO_FIELD = () => undefined;

function jsonDecoder(config: JsonDecoderConfig): MessageDecoder {
  const rowsPath = config.rows?.split('.');
  const fieldPaths =
    config.fields && Object.entries(config.fields).map(([column, path]) => [column, path.split('.')] as const);
  return (payload) => {
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      throw new DecodeError(`not JSON: ${(err as Error).message}`);
    }
    const top = isObject(value) ? value : null;
    let list: unknown = value;
    if (rowsPath) {
      if (!top) {
        throw new DecodeError(`expected a JSON object holding "${config.rows}"`);
      }
      list = pick(top, rowsPath);
      if (!Array.isArray(list)) {
        throw new DecodeError(`"${config.rows}" is not an array`);
      }
    }
    const items = Array.isArray(list) ? list : [list];
    const rows = items.map((item, i) => {
      if (!isObject(item)) {
        throw new DecodeError(`row ${i} is not a JSON object`);
      }
      return mapRow(item, fieldPaths, config.defaults);
    });
    return { rows, field: top ? (name) => top[name] : NO_FIELD };
  };
}

function lineProtocolDecoder(config: LineProtocolDecoderConfig): MessageDecoder {
  const toIso = timestampReader(config.precision);
  const fieldPaths = config.fields && Object.entries(config.fields).map(([column, key]) => [column, [key]] as const);
  return (payload) => {
    const rows = parseLineProtocol(payload.toString('utf8')).map((p) => {
      const flat: Row = { ...p.tags, ...p.fields };
      if (config.measurementColumn) {
        flat[config.measurementColumn] = p.measurement;
      }
      const row = mapRow(
        flat,
        fieldPaths && [
          ...fieldPaths,
          ...(config.measurementColumn ? [[config.measurementColumn, [config.measurementColumn]] as const] : []),
        ],
        config.defaults
      );
      row[config.timeColumn] = p.timestamp === null ? new Date().toISOString() : toIso(p.timestamp);
      return row;
    });
    return { rows, field: NO_FIELD };
  };
}

function csvDecoder(config: CsvDecoderConfig): MessageDecoder {
  const fieldPaths = config.fields && Object.entries(config.fields).map(([column, name]) => [column, [name]] as const);
  return (payload) => ({
    rows: parseCsvMessage(payload.toString('utf8'), config.columns, config.delimiter).map((record) =>
      mapRow(record, fieldPaths, config.defaults)
    ),
    field: NO_FIELD,
  });
}

/** Timestamp digits in the given unit → ISO-8601 with microseconds (PostgreSQL's resolution). */
function timestampReader(precision: LineProtocolDecoderConfig['precision']): (digits: string) => string {
  const perSecond = { s: 1n, ms: 1_000n, us: 1_000_000n, ns: 1_000_000_000n }[precision];
  return (digits) => {
    const n = BigInt(digits);
    const micros = (n * 1_000_000n) / perSecond;
    const ms = micros / 1000n;
    const date = new Date(Number(ms));
    if (Number.isNaN(date.getTime())) {
      throw new DecodeError(`timestamp ${digits} is out of range`);
    }
    const sub = ((micros % 1000n) + 1000n) % 1000n;
    return date.toISOString().replace('Z', `${String(sub).padStart(3, '0')}Z`);
  };
}

function mapRow(
  item: Record<string, unknown>,
  fieldPaths: ReadonlyArray<readonly [string, readonly string[]]> | undefined,
  defaults: Record<string, unknown>
): Row {
  const row: Row = {};
  if (fieldPaths) {
    for (const [column, path] of fieldPaths) {
      const v = pick(item, path);
      if (v !== undefined) {
        row[column] = v;
      }
    }
  } else {
    Object.assign(row, item);
  }
  for (const [column, v] of Object.entries(defaults)) {
    if (row[column] === undefined) {
      row[column] = v;
    }
  }
  return row;
}

function pick(value: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = value;
  for (const key of path) {
    if (!isObject(v) || !Object.hasOwn(v, key)) {
      return undefined;
    }
    v = v[key];
  }
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
