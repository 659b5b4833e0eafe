/**
 * Quoting for the few things the gateway itself writes into SQL text. User values never go
 * through here: they are bound parameters. Identifiers come from the catalog; literals are
 * the gateway's own (validated time zones, formatted timestamps, interval texts).
 */

/** `"name"` with embedded quotes doubled. */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) {
    throw new Error('identifier contains a NUL byte');
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'text'` with embedded quotes doubled (standard_conforming_strings is on in every supported server). */
export function quoteLiteral(text: string): string {
  if (text.includes('\u0000')) {
    throw new Error('literal contains a NUL byte');
  }
  return `'${text.replace(/'/g, "''")}'`;
}
