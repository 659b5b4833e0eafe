/**
 * A stand-in for Grafana's TemplateSrv over a fixed set of dashboard variables: the
 * `$var`, `${var}`, `${var:format}` and `[[var]]` syntaxes, scoped variables
 * (`$__interval`…), the "All" value, Grafana's named formats and format functions
 * (what SQL data sources pass to quote values). Multi-value variables without a format
 * use "glob", as in Grafana.
 */
import type { ScopedVars, TimeRange, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;
const ALL = '$__all';

export interface HarnessVariable {
  name: string;
  label?: string;
  /** Every value the variable offers. */
  options: string[];
  /** The selected values; [ALL] for "All". */
  current: string[];
  multi: boolean;
  includeAll: boolean;
}

type Value = string | number | boolean | Array<string | number | boolean>;
type FormatFn = (value: Value, variable?: unknown, fallback?: FormatFn) => string;

const asArray = (value: Value) => (Array.isArray(value) ? value : [value]).map(String);
const regexEscape = (s: string) => s.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');

/** Grafana's format registry (the formats a SQL data source or a user can name). */
const FORMATS: Record<string, FormatFn> = {
  raw: (v) => asArray(v).join(','),
  csv: (v) => asArray(v).join(','),
  pipe: (v) => asArray(v).join('|'),
  distributed: (v) => asArray(v).join(','),
  json: (v) => JSON.stringify(v),
  text: (v) => asArray(v).join(' + '),
  glob: (v) => (Array.isArray(v) && v.length > 1 ? `{${v.join(',')}}` : asArray(v).join(',')),
  regex: (v) => {
    const values = asArray(v).map(regexEscape);
    return values.length === 1 ? values[0] : `(${values.join('|')})`;
  },
  singlequote: (v) =>
    asArray(v)
      .map((s) => `'${s.replace(/'/g, "\\'")}'`)
      .join(','),
  doublequote: (v) =>
    asArray(v)
      .map((s) => `"${s.replace(/"/g, '\\"')}"`)
      .join(','),
  sqlstring: (v) =>
    asArray(v)
      .map((s) => `'${s.replace(/'/g, "''")}'`)
      .join(','),
  percentencode: (v) => encodeURIComponent(Array.isArray(v) ? `{${v.join(',')}}` : String(v)),
  uriencode: (v) =>
    asArray(v)
      .map((s) => encodeURI(s))
      .join(','),
  queryparam: (v) =>
    asArray(v)
      .map((s) => `var-${encodeURIComponent(s)}`)
      .join('&'),
  lucene: (v) => {
    const values = asArray(v).map((s) => `"${s.replace(/"/g, '\\"')}"`);
    return values.length === 1 ? values[0] : `(${values.join(' OR ')})`;
  },
};

export class HarnessTemplateSrv implements TemplateSrv {
  private range?: TimeRange;

  constructor(private variables: HarnessVariable[]) {}

  setVariables(variables: HarnessVariable[]) {
    this.variables = variables;
  }

  getVariables(): TypedVariableModel[] {
    return this.variables.map((v, index) => {
      const selected = v.current.includes(ALL) ? ['All'] : v.current;
      const value = v.current.includes(ALL) ? [ALL] : v.current;
      return {
        type: 'custom',
        id: v.name,
        rootStateKey: 'harness',
        name: v.name,
        label: v.label ?? v.name,
        query: v.options.join(','),
        multi: v.multi,
        includeAll: v.includeAll,
        allValue: null,
        current: { text: v.multi ? selected : selected[0], value: v.multi ? value : value[0], selected: true },
        options: v.options.map((o) => ({ text: o, value: o, selected: v.current.includes(o) })),
        index,
        global: false,
        hide: 0,
        skipUrlSync: false,
        state: 'Done',
        error: null,
        description: null,
      } as unknown as TypedVariableModel;
    });
  }

  updateTimeRange(range: TimeRange): void {
    this.range = range;
  }

  containsTemplate(target?: string): boolean {
    if (!target) {
      return false;
    }
    return [...target.matchAll(VARIABLE)].some((m) => {
      const name = m[1] || m[2] || m[4];
      return this.variables.some((v) => v.name === name) || name.startsWith('__');
    });
  }

  replace(target?: string, scopedVars?: ScopedVars, format?: string | Function): string {
    if (!target) {
      return target ?? '';
    }
    return target.replace(VARIABLE, (match, var1, var2, fmt2, var3, _fieldPath, fmt3) => {
      const name: string = var1 || var2 || var3;
      const fmt: string | Function | undefined = fmt2 || fmt3 || format;
      const scoped = scopedVars?.[name];
      if (scoped) {
        return this.format(scoped.value as Value, fmt, undefined);
      }
      const builtin = this.builtinValue(name);
      if (builtin !== undefined) {
        return builtin;
      }
      const variable = this.variables.find((v) => v.name === name);
      if (!variable) {
        return match;
      }
      const values = variable.current.includes(ALL) ? variable.options : variable.current;
      const value: Value = variable.multi || variable.current.includes(ALL) ? values : (values[0] ?? '');
      return this.format(
        value,
        fmt,
        this.getVariables().find((v) => v.name === name)
      );
    });
  }

  private builtinValue(name: string): string | undefined {
    if (!this.range) {
      return undefined;
    }
    const from = this.range.from.valueOf();
    const to = this.range.to.valueOf();
    switch (name) {
      case '__from':
        return String(from);
      case '__to':
        return String(to);
      case '__range_ms':
        return String(to - from);
      case '__range_s':
        return String(Math.round((to - from) / 1000));
      case '__range':
        return `${Math.round((to - from) / 1000)}s`;
      default:
        return undefined;
    }
  }

  private format(value: Value, format: string | Function | undefined, variable: unknown): string {
    const glob = FORMATS.glob;
    if (typeof format === 'function') {
      return String(format(value, variable, (v: Value, f?: string) => this.format(v, f, variable)));
    }
    const fn = FORMATS[format ?? 'glob'] ?? glob;
    return fn(value);
  }
}
