import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import type { DataSource } from 'data/datasource';
import { labels } from 'labels';
import { type TsQuery } from 'types/query';

import { AnnotationQueryEditor } from './AnnotationQueryEditor';

jest.mock('@grafana/ui', () => ({
  ...jest.requireActual('@grafana/ui'),
  CodeEditor: require('__testing__/CodeEditorStub').CodeEditorStub,
}));

const renderEditor = (query?: TsQuery) => {
  const onChange = jest.fn();
  render(
    <AnnotationQueryEditor
      datasource={{} as DataSource}
      query={query as TsQuery}
      onChange={onChange}
      onRunQuery={jest.fn()}
    />
  );
  return onChange;
};

describe('AnnotationQueryEditor', () => {
  it('starts a new annotation from an example naming the columns it reads', () => {
    renderEditor();
    expect(screen.getByLabelText('Code editor')).toHaveValue(labels.annotationEditor.example);
    expect(screen.getByText(labels.annotationEditor.hint)).toBeInTheDocument();
  });

  it('saves edits as a SQL query in table format', async () => {
    const onChange = renderEditor({ refId: 'Anno', mode: 'sql', rawSql: 'SELECT 1' });
    const editor = screen.getByLabelText('Code editor');
    await userEvent.clear(editor);
    await userEvent.type(editor, 'SELECT now() AS time, 1 AS text');
    await userEvent.tab();
    expect(onChange).toHaveBeenLastCalledWith(
      expect.objectContaining({
        refId: 'Anno',
        mode: 'sql',
        format: 'table',
        rawSql: 'SELECT now() AS time, 1 AS text',
      })
    );
  });
});
