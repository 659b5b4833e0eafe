/**
 * The dashboard state a Grafana URL carries: `from` / `to` (relative like `now-6h` or
 * epoch milliseconds) and `var-<name>` (repeated for several values). The tests open
 * the page with them; the page writes them back as a person changes things.
 */
import { dateTime, rangeUtil, type RawTimeRange, type TimeRange } from '@grafana/data';

const parseTime = (text: string) => (/^\d+$/.test(text) ? dateTime(Number(text)) : text);

export const readRange = (search = window.location.search): TimeRange => {
  const params = new URLSearchParams(search);
  const raw: RawTimeRange = {
    from: parseTime(params.get('from') ?? 'now-6h'),
    to: parseTime(params.get('to') ?? 'now'),
  };
  return rangeUtil.convertRawToRange(raw, 'utc');
};

export const readVariableValues = (name: string, search = window.location.search): string[] | undefined => {
  const values = new URLSearchParams(search).getAll(`var-${name}`);
  return values.length ? values : undefined;
};

const rawToParam = (value: RawTimeRange['from']) => (typeof value === 'string' ? value : String(value.valueOf()));

export const writeState = (range: TimeRange, variables: Record<string, string[]>) => {
  const params = new URLSearchParams(window.location.search);
  params.set('from', rawToParam(range.raw.from));
  params.set('to', rawToParam(range.raw.to));
  for (const [name, values] of Object.entries(variables)) {
    params.delete(`var-${name}`);
    values.forEach((v) => params.append(`var-${name}`, v));
  }
  window.history.replaceState(null, '', `${window.location.pathname}?${params.toString()}`);
};
