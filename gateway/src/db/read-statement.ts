/**
 * Whether a statement starts like a read (SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN), after
 * leading blanks, comments and parentheses. Only a first guess: the embedded driver runs such a
 * statement in a READ ONLY transaction, where PostgreSQL itself refuses any write (25006), and
 * runs it again as a write when refused. A wrong guess costs a retry, never a killed write.
 */
const LEADING = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*/;
const FIRST_WORD = /^[A-Za-z]+/;
const READS = new Set(['select', 'with', 'values', 'table', 'show', 'explain']);

export function looksLikeRead(sql: string): boolean {
  const rest = sql.replace(LEADING, '');
  const word = FIRST_WORD.exec(rest)?.[0].toLowerCase();
  return word !== undefined && READS.has(word);
}

/** SQLSTATEs of a statement that cannot run read-only: it writes (25006), or refuses a transaction block (25001). */
export function needsWritableRun(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '25006' || code === '25001';
}
