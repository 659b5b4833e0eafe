import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createScratchDatabase, dropScratchDatabase, probePostgres } from './helpers/postgres-server';
import { NO_SHEDDING, TOKEN_SPEC, TOKENS } from './helpers/test-context';

/**
 * The COPY fast path of POST /timescaledb/data/:table against the general path (whole-body
 * parse, coerceValue, INSERT), on the real PostgreSQL: the same hostile body sent to a
 * gateway that streams it into COPY and to one that never does must store the same rows,
 * or answer the same error.
 */

// Not UTC, so a time sent in the process's local time shows (each test file is its own process).
process.env.TZ = 'America/New_York';

const COLUMNS = `"time" timestamptz, ts timestamp, d date, s text, "a,b" text, i int4, sm int2, big int8, f float8, r real, num numeric, ok boolean`;
const KEYS = ['time', 'ts', 'd', 's', 'a,b', 'i', 'sm', 'big', 'f', 'r', 'num', 'ok'];

/** Values as raw JSON text, so numbers keep their spelling (`1E+2`, `-0`, 20 digits). */
const rawNumber = fc.oneof(
  fc.constantFrom(
    '1735689600000',
    '-62135596800000',
    '8640000000000000',
    '8640000000000001',
    '9007199254740993',
    '0',
    '-0',
    '1e2',
    '1E+2',
    '1.50',
    '0.1',
    '-0.5',
    '0.0000001',
    '0.000001',
    '123456789012345',
    '1234567890123456',
    '9007199254740993',
    '32767',
    '32768',
    '-32769',
    '2147483648',
    '1e308',
    '1e-320',
    '3.4e38',
    '3.5e38',
    '1e-46',
    '99999999999999999999',
    '0.30000000000000004'
  ),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x))
);
const rawString = fc
  .oneof(
    fc.constantFrom(
      '',
      ' ',
      '\\.',
      '\\',
      '"',
      ',',
      '\n',
      '\r',
      '\r\n',
      'a,b',
      '=cmd()',
      'null',
      'NULL',
      '\\N',
      '\u0000',
      '\ud800',
      'é',
      '😀',
      '2025-01-01T00:00:00Z',
      '2025-01-01T00:00:00.123456789+05:30',
      '2025-02-30T00:00:00Z',
      ' 2025-01-01T00:00:00Z',
      '1735689600000',
      '8640000000000001',
      'true',
      't',
      'yes',
      '1',
      '12',
      ' 7 ',
      'Infinity',
      'NaN'
    ),
    fc.string({ maxLength: 6 }),
    fc.string({ unit: 'grapheme', maxLength: 4 })
  )
  .map((s) => JSON.stringify(s));
const rawValue = fc.oneof(rawNumber, rawString, fc.constantFrom('null', 'true', 'false', '[]', '{}', '[1]', '{"x":1}'));
const space = fc.constantFrom('', ' ', '\n', '\t', '\r\n ');

/** Mostly plain rows (so the fast path runs), with odd keys, spacing and values mixed in. */
const plainRow = fc.record({
  time: fc
    .integer({ min: 0, max: 10 ** 6 })
    .map((s) => JSON.stringify(new Date(Date.UTC(2025, 0, 1) + s * 1000).toISOString())),
  ts: fc.constantFrom('"2025-01-01T00:00:00Z"', '"2025-01-01T00:00:00+02:00"', '"2025-06-01T12:34:56.789Z"'),
  d: fc.constantFrom('"2025-01-01T00:00:00Z"', '"2025-01-01T23:00:00-05:00"'),
  s: fc
    .string({ maxLength: 8 })
    .filter((s) => /^[\x20-\x7e]*$/.test(s))
    .map((s) => JSON.stringify(s)),
  'a,b': fc.constantFrom('"x"', '","', '""', 'null'),
  i: fc.integer({ min: -999999999, max: 999999999 }).map(String),
  sm: fc.integer({ min: -9999, max: 9999 }).map(String),
  big: fc.integer().map(String),
  f: fc.constantFrom('1.5', '-0.25', '3', '0.000001', '123456.789'),
  r: fc.constantFrom('1.5', '2', '0.1'),
  num: fc.constantFrom('1.5', '10', '0.001'),
  ok: fc.constantFrom('true', 'false', 'null'),
});
const mutation = fc.record({
  key: fc.constantFrom(...KEYS),
  value: rawValue,
  kind: fc.constantFrom('replace', 'duplicate', 'escape-key', 'drop', 'reorder', 'proto'),
});
const rowText = fc.tuple(plainRow, fc.option(mutation, { freq: 3 }), space).map(([row, m, ws]) => {
  let entries: Array<[string, string]> = KEYS.map((k) => [JSON.stringify(k), row[k as keyof typeof row]]);
  if (m) {
    const at = KEYS.indexOf(m.key);
    const name = JSON.stringify(m.key);
    if (m.kind === 'replace') {
      entries[at] = [name, m.value];
    } else if (m.kind === 'duplicate') {
      entries.splice(at + 1, 0, [name, m.value]);
    } else if (m.kind === 'escape-key') {
      entries[at] = [
        name.replace(/^"(.)/, (_, c: string) => `"\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
        m.value,
      ];
    } else if (m.kind === 'drop') {
      entries.splice(at, 1);
    } else if (m.kind === 'reorder') {
      entries = [entries[at], ...entries.filter((_, k) => k !== at)];
    } else {
      entries.push(['"__proto__"', m.value]);
    }
  }
  return `{${ws}${entries.map(([k, v]) => `${k}${ws}:${ws}${v}`).join(`${ws},${ws}`)}${ws}}`;
});
const body = fc
  .tuple(fc.array(rowText, { minLength: 1, maxLength: 30 }), space, fc.constantFrom('', '', '\ufeff', ','))
  .map(([rows, ws, odd]) =>
    odd === ',' ? `[${rows.join(',')},]` : `${odd}${ws}[${ws}${rows.join(`${ws},${ws}`)}${ws}]${ws}`
  );

interface Side {
  app: FastifyInstance;
  baseUrl: string;
}

async function gateway(url: string, copyThreshold: string): Promise<Side> {
  const app = await buildApp(
    loadConfig({
      GATEWAY_TOKENS: TOKEN_SPEC,
      LOG_LEVEL: 'silent',
      ...NO_SHEDDING,
      PORT: '0',
      DATA_DIR: 'memory://',
      DATABASE_URL: url,
      COPY_THRESHOLD_ROWS: copyThreshold,
    })
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, baseUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

async function post(side: Side, table: string, text: string): Promise<{ status: number; error?: string }> {
  const res = await fetch(`${side.baseUrl}/timescaledb/data/${table}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' },
    body: Buffer.from(text, 'utf8'),
  });
  const answer = (await res.json()) as { error?: string };
  return { status: res.status, error: res.status >= 400 ? answer.error : undefined };
}

describe('COPY fast path against the general path, on PostgreSQL', async () => {
  const probe = await probePostgres();
  if (!probe.ok) {
    it('skipped: PostgreSQL unreachable', { skip: probe.error }, () => undefined);
    return;
  }
  let scratch: { name: string; url: string };
  let client: pg.Client;
  let fast: Side;
  let careful: Side;
  before(async () => {
    scratch = await createScratchDatabase('gw_adv');
    client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    await client.query(`CREATE TABLE fast_rows (${COLUMNS}); CREATE TABLE careful_rows (${COLUMNS})`);
    fast = await gateway(scratch.url, '1');
    careful = await gateway(scratch.url, '1000000');
  });
  after(async () => {
    await fast?.app.close();
    await careful?.app.close();
    await client?.end();
    if (scratch) {
      await dropScratchDatabase(scratch.name);
    }
  });

  /** Stored rows as sorted text, independent of order and of the session's time zone. */
  async function stored(table: string): Promise<string[]> {
    const res = await client.query(`SELECT row_to_json(t)::text AS j FROM (SELECT * FROM ${table}) t`);
    return res.rows.map((r: { j: string }) => r.j).sort();
  }

  /** Both gateways given `text`: their answers and stored rows, which must agree. */
  async function bothWays(text: string): Promise<{ status: number; error?: string }> {
    await client.query('TRUNCATE fast_rows, careful_rows');
    const a = await post(fast, 'fast_rows', text);
    const b = await post(careful, 'careful_rows', text);
    assert.deepEqual(a, b, `answers differ for ${text}: ${JSON.stringify([a, b])}`);
    assert.deepEqual(await stored('fast_rows'), await stored('careful_rows'), `rows differ for ${text}`);
    return a;
  }

  it('refuses epoch milliseconds past the range of times as a bad value, on both paths', async () => {
    for (const time of ['9007199254740993', '"8640000000000001"', '-8640000000000001']) {
      const answer = await bothWays(`[{"time":${time},"s":"a"},{"time":"2025-01-01T00:00:00Z","s":"b"}]`);
      assert.deepEqual(answer, { status: 400, error: 'invalid_value' }, time);
    }
  });

  it('stores epoch milliseconds as the same UTC time in timestamp and date columns, whatever the local zone', async () => {
    const answer = await bothWays(
      '[{"ts":1735689600000,"d":1735700000000,"s":"a"},{"ts":"1735689600000","d":"1735689600000","s":"b"}]'
    );
    assert.equal(answer.status, 201);
    const res = await client.query(`SELECT ts::text, d::text FROM careful_rows ORDER BY s`);
    assert.deepEqual(res.rows, [
      { ts: '2025-01-01 00:00:00', d: '2025-01-01' },
      { ts: '2025-01-01 00:00:00', d: '2025-01-01' },
    ]);
  });

  it('stores the same rows or answers the same error for any body', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        await bothWays(text);
      }),
      { numRuns: Number(process.env.PARITY_RUNS ?? 300), verbose: 1 }
    );
  });
});
