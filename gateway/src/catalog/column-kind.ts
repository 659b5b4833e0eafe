import type { ColumnKind } from '../contract/catalog';

/**
 * The coarse family of a PostgreSQL type, from its pg_type category (and a few names),
 * so domains and varchar(n) land where their base type does.
 */
export function columnKind(typeName: string, typCategory: string): ColumnKind {
  if (/^(timestamp|date)\b/.test(typeName)) {
    return 'time';
  }
  if (typeName === 'json' || typeName === 'jsonb') {
    return 'json';
  }
  switch (typCategory) {
    case 'N':
      return typeName === 'oid' || typeName.startsWith('reg') ? 'other' : 'number';
    case 'S':
      return 'string';
    case 'B':
      return 'boolean';
    default:
      return 'other';
  }
}

/** Integer types reject fractions on the way in. */
export function isIntegerType(typeName: string): boolean {
  return /^(smallint|integer|bigint)$/.test(typeName);
}
