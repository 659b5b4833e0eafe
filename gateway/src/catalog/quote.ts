/** Double-quotes an identifier that came from the catalog (never from request text). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
