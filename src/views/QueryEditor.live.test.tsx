import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React, { useState } from 'react';

import { createLiveDataSource } from '__testing__/liveDataSource';
import { selectors } from 'components/selectors';
import { pickBuilderFields } from 'data/builderFields';
import { renderBuilderSql } from 'data/builderSql';
import { labels } from 'labels';
import { defaultBuilderQuery, EditorMode, type TsBuilderQuery, type TsQuery, type TsSqlQuery } from 'types/query';

import { QueryEditor } from './QueryEditor';

jest.mock('@grafana/runtime', () => require('__testing__/grafanaRuntime').runtimeMock());
jest.mock('@grafana/ui', () => ({ ...jest.requireActual('@grafana/ui'), CodeEditor: require('__testing__/CodeEditorStub').CodeEditorStub }));

/** Grafana's panel editor: keeps the query, passes it back, counts runs. */
const renderEditor = (initial: TsQuery) => {
  const datasource = createLiveDataSource();
  const queries: TsQuery[] = [];
  const onRunQuery = jest.fn();
  const Host = () => {
    const [query, setQuery] = useState(initial);
    return (
      <QueryEditor
        datasource={datasource}
        query={query}
        onChange={(next) => {
          queries.push(next);
          setQuery(next);
        }}
        onRunQuery={onRunQuery}
      />
    );
  };
  render(<Host />);
  return { last: () => queries[queries.length - 1], onRunQuery };
};

/** Opens a Grafana Select inside the element with `testId` and picks the option with this text. */
const choose = async (testId: string, optionText: string) => {
  const input = within(screen.getByTestId(testId)).getByRole('combobox');
  await userEvent.click(input);
  await userEvent.click(await screen.findByText(optionText, { selector: 'span' }));
};

const builderQuery = (patch: Partial<TsBuilderQuery> = {}): TsBuilderQuery => ({ refId: 'A', ...defaultBuilderQuery, ...patch });

describe('QueryEditor builder', () => {
  it('lists catalog tables with their kind and picks the time column automatically', async () => {
    const { last } = renderEditor(builderQuery());
    await choose(selectors.builder.table, 'sensor_data');
    await waitFor(() => expect(last()).toMatchObject({ table: 'sensor_data', timeColumn: 'time' }));
    expect(within(screen.getByTestId(selectors.builder.timeColumn)).getByText('time')).toBeInTheDocument();
  });

  it('builds the metric, shows the SQL preview and runs the query', async () => {
    const { last, onRunQuery } = renderEditor(builderQuery({ table: 'sensor_data', timeColumn: 'time' }));
    await choose(selectors.builder.metricColumn, 'temperature');
    await waitFor(() => expect((last() as TsBuilderQuery).metrics[0].column).toBe('temperature'));
    expect(screen.getByTestId(selectors.builder.sqlPreview)).toHaveTextContent('avg("temperature") AS "avg(temperature)"');
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('offers the table’s text columns for group by', async () => {
    const { last } = renderEditor(builderQuery({ table: 'sensor_data', timeColumn: 'time', metrics: [{ column: 'temperature', aggregation: 'avg' }] }));
    await choose(selectors.builder.groupBy, 'sensor_id');
    await waitFor(() => expect((last() as TsBuilderQuery).groupBy).toEqual(['sensor_id']));
  });
});

describe('QueryEditor Builder ⇄ SQL', () => {
  const built = builderQuery({ table: 'sensor_data', timeColumn: 'time', metrics: [{ column: 'temperature', aggregation: 'max' }], groupBy: ['sensor_id'] });

  it('carries the builder’s SQL over to SQL mode', async () => {
    const { last } = renderEditor(built);
    await userEvent.click(within(screen.getByTestId(selectors.queryEditor.modeSwitch)).getByText(labels.queryEditor.modes.sql));
    const sql = last() as TsSqlQuery;
    expect(sql.mode).toBe(EditorMode.SQL);
    expect(sql.rawSql).toBe(renderBuilderSql(pickBuilderFields(built)));
    expect(screen.getByLabelText('Code editor')).toHaveValue(sql.rawSql);
  });

  it('goes back without asking while the SQL is untouched', async () => {
    const { last } = renderEditor(built);
    const modes = () => within(screen.getByTestId(selectors.queryEditor.modeSwitch));
    await userEvent.click(modes().getByText(labels.queryEditor.modes.sql));
    await userEvent.click(modes().getByText(labels.queryEditor.modes.builder));
    expect(screen.queryByText(labels.queryEditor.switchToBuilder.title)).not.toBeInTheDocument();
    expect(last()).toMatchObject({ mode: EditorMode.Builder, table: 'sensor_data', groupBy: ['sensor_id'] });
  });

  it('warns before discarding edited SQL, and keeps it when cancelled', async () => {
    const { last } = renderEditor({ refId: 'A', mode: EditorMode.SQL, rawSql: 'SELECT 42', builder: pickBuilderFields(built) });
    await userEvent.click(within(screen.getByTestId(selectors.queryEditor.modeSwitch)).getByText(labels.queryEditor.modes.builder));
    expect(await screen.findByText(labels.queryEditor.switchToBuilder.title)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(last()).toBeUndefined();
    expect(screen.getByLabelText('Code editor')).toHaveValue('SELECT 42');
  });

  it('restores the previous builder when the discard is confirmed', async () => {
    const { last } = renderEditor({ refId: 'A', mode: EditorMode.SQL, rawSql: 'SELECT 42', builder: pickBuilderFields(built) });
    await userEvent.click(within(screen.getByTestId(selectors.queryEditor.modeSwitch)).getByText(labels.queryEditor.modes.builder));
    await userEvent.click(await screen.findByRole('button', { name: labels.queryEditor.switchToBuilder.confirm }));
    expect(last()).toMatchObject({ mode: EditorMode.Builder, table: 'sensor_data', metrics: [{ column: 'temperature', aggregation: 'max' }] });
    expect(last()).not.toHaveProperty('rawSql');
    expect(await screen.findByTestId(selectors.builder.root)).toBeInTheDocument();
  });
});
