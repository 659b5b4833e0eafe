import type { ScopedVars, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

/** A dashboard variable as the tests describe it. */
export interface TestVariable {
  name: string;
  value: string | string[];
  multi?: boolean;
  includeAll?: boolean;
}

// Grafana's own variable syntax: $var, [[var]] / [[var:fmt]], ${var} / ${var:fmt}.
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:}]+))?(?::([^}]+))?\}/g;

type FormatFn = (value: string | string[], variable: unknown) => string | number;

const namedFormats: Record<string, (v: string[]) => string> = {
  csv: (v) => v.join(','),
  raw: (v) => v.join(','),
  pipe: (v) => v.join('|'),
  json: (v) => JSON.stringify(v.length === 1 ? v[0] : v),
  singlequote: (v) => v.map((x) => `'${x.replace(/'/g, "\\'")}'`).join(','),
  doublequote: (v) => v.map((x) => `"${x.replace(/"/g, '\\"')}"`).join(','),
  sqlstring: (v) => v.map((x) => `'${x.replace(/'/g, "''")}'`).join(','),
  glob: (v) => (v.length > 1 ? `{${v.join(',')}}` : v.join(',')),
};

/**
 * Grafana's TemplateSrv is part of Grafana itself, not of @grafana/runtime: this
 * stand-in follows its rules for the syntax, scoped variables, named formats and a
 * format function (called with the value and the variable model).
 */
export const createTemplateSrv = (variables: TestVariable[] = []): TemplateSrv => {
  const find = (name: string) => variables.find((v) => v.name === name);
  const replace = (target?: string, scopedVars?: ScopedVars, format?: string | Function): string => {
    if (!target) {
      return target ?? '';
    }
    return target.replace(VARIABLE, (match, v1, v2, fmt2, v3, _fieldPath, fmt3) => {
      const name = v1 || v2 || v3;
      const explicitFormat: string | undefined = fmt2 || fmt3;
      const scoped = scopedVars?.[name];
      const variable = find(name);
      if (!scoped && !variable) {
        return match;
      }
      const value = scoped ? scoped.value : variable!.value;
      const list = Array.isArray(value) ? value.map(String) : [String(value)];
      if (explicitFormat && namedFormats[explicitFormat]) {
        return namedFormats[explicitFormat](list);
      }
      if (typeof format === 'function') {
        return String((format as FormatFn)(Array.isArray(value) ? list : String(value), variable ?? { name }));
      }
      if (typeof format === 'string' && namedFormats[format]) {
        return namedFormats[format](list);
      }
      return namedFormats.glob(list);
    });
  };
  return {
    replace,
    getVariables: () => variables.map((v) => ({ name: v.name, type: 'custom' }) as unknown as TypedVariableModel),
    containsTemplate: (target?: string) => !!target && new RegExp(VARIABLE.source).test(target),
    updateTimeRange: () => undefined,
    getAdhocFilters: () => [],
  } as unknown as TemplateSrv;
};
