/**
 * Write load for the fault tests: writers POST batches of rows to a table, each batch marked
 * with its own request id, and every answer is recorded, so that afterwards the table can be
 * held against what the gateway acknowledged (201) and what it refused.
 *
 * The table: `CREATE TABLE <name> (req text NOT NULL, n int NOT NULL, v double precision)`.
 */

export const FAULT_TABLE_DDL = (name: string) =>
  `CREATE TABLE ${name} (req text NOT NULL, n int NOT NULL, v double precision)`;

export interface WriteAnswer {
  req: string;
  rows: number;
  /** HTTP status; 0 when no answer came (connection refused or reset). */
  status: number;
  /** The JSON body's `error` code (non-2xx), when the body was JSON. */
  error?: string;
  /** A non-2xx body that was not the gateway's JSON error shape. */
  notJson?: boolean;
  /** Network error message, when there was no HTTP answer. */
  failure?: string;
  startedAt: number;
  ms: number;
}

export interface WriteLoadOptions {
  url: string;
  token: string;
  table: string;
  /** One entry per writer: how many rows each of its batches holds. */
  writers: number[];
  /** Prefix of the request ids (unique per run). */
  prefix: string;
  /** Pause between a writer's requests. */
  pauseMs?: number;
  /** Give up on an answer after this long (counted as status 0, failure "timeout"). */
  requestTimeoutMs?: number;
}

export interface WriteLoad {
  answers: WriteAnswer[];
  /** Stops the writers and resolves once every request in flight has its answer. */
  stop(): Promise<WriteAnswer[]>;
}

export function startWriteLoad(options: WriteLoadOptions): WriteLoad {
  const answers: WriteAnswer[] = [];
  let running = true;
  let seq = 0;
  const writer = async (rows: number) => {
    while (running) {
      const req = `${options.prefix}-${seq++}`;
      answers.push(await postBatch(options, req, rows));
      if (options.pauseMs) {
        await new Promise((r) => setTimeout(r, options.pauseMs));
      }
    }
  };
  const done = Promise.all(options.writers.map(writer));
  return {
    answers,
    async stop() {
      running = false;
      await done;
      return answers;
    },
  };
}

export async function postBatch(
  options: Pick<WriteLoadOptions, 'url' | 'token' | 'table' | 'requestTimeoutMs'>,
  req: string,
  rows: number
): Promise<WriteAnswer> {
  const body = JSON.stringify(Array.from({ length: rows }, (_, n) => ({ req, n, v: n / 7 })));
  const startedAt = Date.now();
  try {
    const res = await fetch(`${options.url}/timescaledb/data/${options.table}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? 30_000),
    });
    const text = await res.text();
    const answer: WriteAnswer = { req, rows, status: res.status, startedAt, ms: Date.now() - startedAt };
    if (res.status !== 201) {
      try {
        const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
        if (typeof parsed.error === 'string' && typeof parsed.message === 'string') {
          answer.error = parsed.error;
        } else {
          answer.notJson = true;
        }
      } catch {
        answer.notJson = true;
      }
    }
    return answer;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { req, rows, status: 0, failure: cause ?? (err as Error).name, startedAt, ms: Date.now() - startedAt };
  }
}

/** Rows stored per request id, from `SELECT req, count(*) … GROUP BY req`. */
export function storedByRequest(rows: Array<{ req: string; count: string | number }>): Map<string, number> {
  return new Map(rows.map((r) => [r.req, Number(r.count)]));
}

/**
 * What the table says about the answers: acknowledged requests missing rows (lost), and
 * requests stored only in part (torn). Requests without a 201 may be stored whole: the commit
 * may have happened with the answer lost on the way.
 */
export function checkAgainstTable(
  answers: WriteAnswer[],
  stored: Map<string, number>
): { acknowledgedRows: number; lostRows: number; torn: string[]; unacknowledgedButStored: number } {
  let acknowledgedRows = 0;
  let lostRows = 0;
  let unacknowledgedButStored = 0;
  const torn: string[] = [];
  for (const a of answers) {
    const count = stored.get(a.req) ?? 0;
    if (count !== 0 && count !== a.rows) {
      torn.push(`${a.req}: ${count} of ${a.rows}`);
    }
    if (a.status === 201) {
      acknowledgedRows += a.rows;
      lostRows += a.rows - count;
    } else if (count > 0) {
      unacknowledgedButStored++;
    }
  }
  return { acknowledgedRows, lostRows, torn, unacknowledgedButStored };
}

/** Latency summary of some answers, for the faults report. */
export function latencies(answers: WriteAnswer[]): string {
  if (answers.length === 0) {
    return 'none';
  }
  const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  return `${answers.length} answers, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${ms[ms.length - 1]} ms`;
}

/** One line of the faults report, easy to find in the test output. */
export function report(title: string, figures: Record<string, unknown>): void {
  const body = Object.entries(figures)
    .map(([k, v]) => `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');
  console.log(`faults report — ${title}\n${body}`);
}
