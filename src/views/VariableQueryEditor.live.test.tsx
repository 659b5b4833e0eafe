import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React, { useState } from 'react';

import { createLiveDataSource } from '__testing__/liveDataSource';
import { selectors } from 'components/selectors';
import { choose, giveComboboxesLayout } from 'components/testing/pickers';
import { labels } from 'labels';
import { VariableQueryMode, type TsVariableQuery } from 'types/variables';

import { VariableQueryEditor } from './VariableQueryEditor';

jest.mock('@grafana/runtime', () => require('__testing__/grafanaRuntime').runtimeMock());
jest.mock('@grafana/ui', () => ({
  ...jest.requireActual('@grafana/ui'),
  CodeEditor: require('__testing__/CodeEditorStub').CodeEditorStub,
}));

const renderEditor = (initial: TsVariableQuery | string) => {
  const datasource = createLiveDataSource();
  const queries: TsVariableQuery[] = [];
  const Host = () => {
    const [query, setQuery] = useState(initial);
    return (
      <VariableQueryEditor
        datasource={datasource}
        query={query as TsVariableQuery}
        onChange={(next) => {
          queries.push(next as unknown as TsVariableQuery);
          setQuery(next as unknown as TsVariableQuery);
        }}
        onRunQuery={jest.fn()}
      />
    );
  };
  render(<Host />);
  return { last: () => queries[queries.length - 1] };
};

giveComboboxesLayout();

describe('VariableQueryEditor', () => {
  it('opens a provisioned SQL string in SQL mode', () => {
    renderEditor('SELECT DISTINCT sensor_id FROM sensor_data');
    expect(screen.getByLabelText('Code editor')).toHaveValue('SELECT DISTINCT sensor_id FROM sensor_data');
  });

  it('saves edited SQL', async () => {
    const { last } = renderEditor({ refId: 'v', mode: VariableQueryMode.SQL, rawSql: '' });
    await userEvent.type(screen.getByLabelText('Code editor'), 'SELECT 1');
    await userEvent.tab();
    expect(last()).toEqual({ refId: 'v', mode: VariableQueryMode.SQL, rawSql: 'SELECT 1' });
  });

  it('builds a "values of column" query from the live catalog', async () => {
    const { last } = renderEditor({ refId: 'v', mode: VariableQueryMode.SQL, rawSql: '' });
    await userEvent.click(
      within(screen.getByTestId(selectors.variableEditor.mode)).getByText(labels.variableEditor.mode.options.values)
    );
    await choose(selectors.variableEditor.table, 'sensor_data');
    await choose(selectors.variableEditor.column, 'sensor_id');
    await waitFor(() =>
      expect(last()).toMatchObject({ mode: VariableQueryMode.Values, table: 'sensor_data', column: 'sensor_id' })
    );
    await userEvent.type(screen.getByTestId(selectors.variableEditor.limit), '3');
    await userEvent.tab();
    expect(last()).toMatchObject({ limit: 3 });
  });
});
