import type { CatalogColumn, CatalogTable } from 'timescaledb-gateway/contract';
import { MACROS, type MacroDoc } from 'timescaledb-gateway/contract/macros';

import { labels } from 'labels';

export type SuggestionKind = 'table' | 'column' | 'macro' | 'variable';

/** A completion item, independent of Monaco so it can be tested without a browser. */
export interface Suggestion {
  kind: SuggestionKind;
  label: string;
  insertText: string;
  detail: string;
  documentation?: string;
  /** Monaco snippet syntax (`${1:column}`) in insertText. */
  snippet?: boolean;
}

/** Table names referenced after FROM / JOIN, so their columns can be offered. */
export const referencedTables = (sql: string, tables: CatalogTable[]): string[] => {
  const known = new Map(tables.map((t) => [t.name.toLowerCase(), t.name]));
  const found = new Set<string>();
  const pattern = /\b(?:from|join)\s+("?[\w$]+"?(?:\."?[\w$]+"?)?)/gi;
  for (const match of sql.matchAll(pattern)) {
    const name = match[1].replace(/"/g, '').toLowerCase();
    const table = known.get(name) ?? known.get(name.replace(/^public\./, ''));
    if (table) {
      found.add(table);
    }
  }
  return Array.from(found);
};

const needsQuotes = (name: string) => !/^[a-z_][a-z0-9_$]*$/.test(name);
const sqlName = (name: string) => (needsQuotes(name) ? `"${name.replace(/"/g, '""')}"` : name);
const tableSqlName = (name: string) => name.split('.').map(sqlName).join('.');

export const macroSuggestion = (macro: MacroDoc): Suggestion => {
  // Optional arguments are written in brackets ("interval[, fill]"); only required ones become placeholders.
  const args = macro.args
    .split('[')[0]
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const snippetArgs = args.map((a, i) => `\${${i + 1}:${a}}`).join(', ');
  return {
    kind: 'macro',
    label: macro.name,
    insertText: macro.call ? `${macro.name}(${snippetArgs})` : macro.name,
    snippet: macro.call && args.length > 0,
    detail: macro.call ? `${macro.name}(${macro.args})` : macro.name,
    documentation: macro.doc,
  };
};

export interface CompletionSources {
  tables: CatalogTable[];
  /** Columns per table name, for the tables the SQL mentions. */
  columns: Record<string, CatalogColumn[]>;
  /** Names of the dashboard's template variables, without `$`. */
  variables: string[];
}

/**
 * Everything worth offering at the cursor. After a `$` only macros and variables make
 * sense; otherwise tables, the columns of the tables in the statement, macros and variables.
 */
export const buildSuggestions = (sources: CompletionSources, textBeforeCursor: string): Suggestion[] => {
  const afterDollar = /\$\w*$/.test(textBeforeCursor);
  const macros = MACROS.map(macroSuggestion);
  const variables: Suggestion[] = sources.variables.map((name) => ({
    kind: 'variable',
    label: `$${name}`,
    insertText: `$${name}`,
    detail: labels.sqlEditor.completion.variable,
  }));
  if (afterDollar) {
    return [...macros, ...variables];
  }
  const tables: Suggestion[] = sources.tables.map((t) => ({
    kind: 'table',
    label: t.name,
    insertText: tableSqlName(t.name),
    detail: `${labels.builder.kinds[t.kind]}${t.timeColumn ? ` · time: ${t.timeColumn}` : ''}`,
  }));
  const columns: Suggestion[] = Object.entries(sources.columns).flatMap(([table, cols]) =>
    cols.map((c) => ({
      kind: 'column' as const,
      label: c.name,
      insertText: sqlName(c.name),
      detail: `${c.type} · ${table}`,
    }))
  );
  return [...columns, ...tables, ...macros, ...variables];
};
