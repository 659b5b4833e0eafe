/**
 * The instant a coerced time value (coerceValue's result for a time column: a Date, or text
 * PostgreSQL reads itself) stands for, in epoch milliseconds, so two of them can be compared
 * before the query runs. Text without a zone is read as UTC: both ends of a range are then
 * read alike. Null when the text is not one JavaScript can place in time.
 */
export function instantMs(value: unknown): number | null {
  if (value instanceof Date) {
    return value.getTime();
  }
  if (typeof value !== 'string') {
    return null;
  }
  const text = value.trim();
  switch (text.toLowerCase()) {
    case 'infinity':
      return Infinity;
    case '-infinity':
      return -Infinity;
    case 'now':
      return Date.now();
    case 'today': {
      const now = new Date();
      return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    }
  }
  const iso = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}
