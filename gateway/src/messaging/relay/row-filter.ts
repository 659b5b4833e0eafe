import type { ColumnCondition } from './config';

/**
 * A route's column condition on a row (as the outbox holds it: jsonb → JSON values). Numbers
 * compare as numbers, everything else as text, so a timestamp column compares by its ISO text.
 */
export function matchesCondition(row: Record<string, unknown>, cond: ColumnCondition): boolean {
  const v = row[cond.column];
  switch (cond.op) {
    case 'is_null':
      return v === null || v === undefined;
    case 'not_null':
      return v !== null && v !== undefined;
    case 'in':
      return (cond.value as unknown[]).some((x) => same(v, x));
    case 'eq':
      return same(v, cond.value);
    case 'neq':
      return v !== null && v !== undefined && !same(v, cond.value);
  }
  if (v === null || v === undefined) {
    return false;
  }
  const c = compare(v, cond.value);
  switch (cond.op) {
    case 'lt':
      return c < 0;
    case 'lte':
      return c <= 0;
    case 'gt':
      return c > 0;
    case 'gte':
      return c >= 0;
  }
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') {
    return Number(a) === Number(b);
  }
  return String(a) === String(b);
}

function compare(a: unknown, b: unknown): number {
  if (
    typeof a === 'number' &&
    (typeof b === 'number' || (typeof b === 'string' && b.trim() !== '' && !Number.isNaN(Number(b))))
  ) {
    return a - Number(b);
  }
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
