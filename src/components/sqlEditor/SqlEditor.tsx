import { getTemplateSrv } from '@grafana/runtime';
import { CodeEditor, type Monaco, type MonacoEditor } from '@grafana/ui';
import React, { useEffect, useRef } from 'react';

import { selectors } from 'components/selectors';
import type { DataSource } from 'data/datasource';

import { buildSuggestions, referencedTables, type SuggestionKind } from './completion';

export interface SqlEditorProps {
  datasource: DataSource;
  value: string;
  onChange: (sql: string) => void;
  /** Ctrl/Cmd+Enter; omitted where nothing runs (variable editor). */
  onRunQuery?: () => void;
  height?: number;
  testId?: string;
}

const kindOf = (monaco: Monaco, kind: SuggestionKind) =>
  ({
    table: monaco.languages.CompletionItemKind.Class,
    column: monaco.languages.CompletionItemKind.Field,
    macro: monaco.languages.CompletionItemKind.Function,
    variable: monaco.languages.CompletionItemKind.Variable,
  })[kind];

/** Grafana's Monaco editor with catalog, macro and variable completion; runs on Ctrl/Cmd+Enter. */
export const SqlEditor = ({
  datasource,
  value,
  onChange,
  onRunQuery,
  height = 200,
  testId = selectors.sqlEditor.root,
}: SqlEditorProps) => {
  // Monaco keeps the callbacks it was given at mount; read the latest ones through refs.
  const latest = useRef({ onChange, onRunQuery });
  useEffect(() => {
    latest.current = { onChange, onRunQuery };
  });
  const disposables = useRef<Array<{ dispose: () => void }>>([]);

  useEffect(() => () => disposables.current.forEach((d) => d.dispose()), []);

  const onEditorDidMount = (editor: MonacoEditor, monaco: Monaco) => {
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => {
      latest.current.onChange(editor.getValue());
      latest.current.onRunQuery?.();
    });
    disposables.current.push(
      monaco.languages.registerCompletionItemProvider('sql', {
        triggerCharacters: ['$', ' ', '.', '('],
        provideCompletionItems: async (model, position) => {
          // The provider is global to the language; answer only for this editor's model.
          if (model.id !== editor.getModel()?.id) {
            return { suggestions: [] };
          }
          const text = model.getValue();
          const before = model.getValueInRange({
            startLineNumber: 1,
            startColumn: 1,
            endLineNumber: position.lineNumber,
            endColumn: position.column,
          });
          const tables = await datasource.catalog.tables().catch(() => []);
          const columns: Record<string, Awaited<ReturnType<typeof datasource.catalog.columns>>> = {};
          for (const table of referencedTables(text, tables)) {
            columns[table] = await datasource.catalog.columns(table).catch(() => []);
          }
          const variables = getTemplateSrv()
            .getVariables()
            .map((v) => v.name);
          const word = model.getWordUntilPosition(position);
          const dollar = before.endsWith('$') || /\$\w+$/.test(before) ? before.match(/\$\w*$/)![0].length : 0;
          const range = {
            startLineNumber: position.lineNumber,
            endLineNumber: position.lineNumber,
            startColumn: dollar ? position.column - dollar : word.startColumn,
            endColumn: word.endColumn,
          };
          return {
            suggestions: buildSuggestions({ tables, columns, variables }, before).map((s) => ({
              label: s.label,
              kind: kindOf(monaco, s.kind),
              insertText: s.insertText,
              insertTextRules: s.snippet ? monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet : undefined,
              detail: s.detail,
              documentation: s.documentation ? { value: s.documentation } : undefined,
              range,
            })),
          };
        },
      })
    );
  };

  return (
    <div data-testid={testId}>
      <CodeEditor
        value={value}
        language="sql"
        height={height}
        showLineNumbers
        showMiniMap={false}
        onBlur={(sql) => latest.current.onChange(sql)}
        onEditorDidMount={onEditorDidMount}
        monacoOptions={{ fixedOverflowWidgets: true, scrollBeyondLastLine: false }}
      />
    </div>
  );
};
