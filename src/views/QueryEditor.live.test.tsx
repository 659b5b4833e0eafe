import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React, { useState } from 'react';

import { createLiveDataSource } from '__testing__/liveDataSource';
import { selectors } from 'components/selectors';
import { choose, giveComboboxesLayout, typeCustomValue } from 'components/testing/pickers';
import { pickBuilderFields } from 'data/builderFields';
import { labels } from 'labels';
import { defaultBuilderQuery, type TsBuilderQuery, type TsQuery, type TsSqlQuery } from 'types/query';

import { QueryEditor } from './QueryEditor';

jest.mock('@grafana/runtime', () => require('__testing__/grafanaRuntime').runtimeMock());
jest.mock('@grafana/ui', () => ({
  ...jest.requireActual('@grafana/ui'),
  CodeEditor: require('__testing__/CodeEditorStub').CodeEditorStub,
}));

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

giveComboboxesLayout();

const builderQuery = (patch: Partial<TsBuilderQuery> = {}): TsBuilderQuery => ({
  refId: 'A',
  ...defaultBuilderQuery,
  ...patch,
});

describe('QueryEditor builder', () => {
  it('turns continuous-aggregate routing off and the cost guard bypass on in the query model', async () => {
    const { last } = renderEditor(builderQuery({ table: 'sensor_data', timeColumn: 'timestamp' }));
    const routing = screen.getByTestId(selectors.builder.continuousAggregates);
    const expensive = screen.getByTestId(selectors.builder.allowExpensive);
    // Routing is on by default, the bypass off, and neither is written into a new query.
    expect(routing).toBeChecked();
    expect(expensive).not.toBeChecked();
    await userEvent.click(routing);
    await waitFor(() => expect(last()).toMatchObject({ continuousAggregates: false }));
    await userEvent.click(expensive);
    await waitFor(() => expect(last()).toMatchObject({ continuousAggregates: false, allowExpensive: true }));
    await userEvent.click(routing);
    await userEvent.click(expensive);
    await waitFor(() => expect(last()).not.toHaveProperty('allowExpensive'));
    expect(last()).not.toHaveProperty('continuousAggregates');
    expect(screen.getByTestId(selectors.builder.continuousAggregates)).toBeChecked();
  });

  it('shows a stored query’s options on the switches', () => {
    renderEditor(
      builderQuery({ table: 'sensor_data', timeColumn: 'timestamp', continuousAggregates: false, allowExpensive: true })
    );
    expect(screen.getByTestId(selectors.builder.continuousAggregates)).not.toBeChecked();
    expect(screen.getByTestId(selectors.builder.allowExpensive)).toBeChecked();
  });

  it('lists catalog tables with their kind and picks the time column automatically', async () => {
    const { last } = renderEditor(builderQuery());
    await choose(selectors.builder.table, 'sensor_data');
    await waitFor(() => expect(last()).toMatchObject({ table: 'sensor_data', timeColumn: 'timestamp' }));
    expect(within(screen.getByTestId(selectors.builder.timeColumn)).getByRole('combobox')).toHaveValue('timestamp');
  });

  it('names every picker for assistive technology', () => {
    renderEditor(builderQuery({ table: 'sensor_data', timeColumn: 'timestamp' }));
    const named = (testId: string, name: string) =>
      expect(within(screen.getByTestId(testId)).getByRole('combobox', { name })).toBeInTheDocument();
    named(selectors.builder.table, labels.builder.table.label);
    named(selectors.builder.timeColumn, labels.builder.timeColumn.label);
    named(selectors.builder.metricAggregation, labels.builder.metrics.aggregation);
    named(selectors.builder.metricColumn, labels.builder.metrics.column);
    named(selectors.builder.groupBy, labels.builder.groupBy.label);
    named(selectors.builder.bucket, labels.builder.bucket.label);
    named(selectors.builder.fill, labels.builder.fill.label);
  });

  it('builds the metric, shows the SQL preview and runs the query', async () => {
    const { last, onRunQuery } = renderEditor(builderQuery({ table: 'sensor_data', timeColumn: 'timestamp' }));
    await choose(selectors.builder.metricColumn, 'temperature');
    await waitFor(() => expect((last() as TsBuilderQuery).metrics[0].column).toBe('temperature'));
    // The gateway renders the preview (after a short pause in the editing).
    await waitFor(
      () => expect(screen.getByTestId(selectors.builder.sqlPreview)).toHaveTextContent('"m0" AS "avg(temperature)"'),
      { timeout: 5000 }
    );
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('offers the table’s text columns for group by', async () => {
    const { last } = renderEditor(
      builderQuery({
        table: 'sensor_data',
        timeColumn: 'timestamp',
        metrics: [{ column: 'temperature', aggregation: 'avg' }],
      })
    );
    await choose(selectors.builder.groupBy, 'sensor_id');
    await waitFor(() => expect((last() as TsBuilderQuery).groupBy).toEqual(['sensor_id']));
  });
});

describe('QueryEditor builder pickers', () => {
  const measured = builderQuery({
    table: 'sensor_data',
    timeColumn: 'timestamp',
    metrics: [{ column: 'temperature', aggregation: 'avg' }],
  });
  const filters = (last: () => TsQuery) => (last() as TsBuilderQuery).filters;

  it('suggests filter values from the gateway for the chosen column', async () => {
    const { last } = renderEditor(measured);
    await userEvent.click(screen.getByTestId(selectors.builder.filterAdd));
    await choose(selectors.builder.filterColumn, 'sensor_id');
    await choose(selectors.builder.filterValue, 'sensor_3');
    await waitFor(() => expect(filters(last)).toEqual([{ column: 'sensor_id', op: '=', value: 'sensor_3' }]));
  });

  it('keeps every value chosen for IN', async () => {
    const { last } = renderEditor(
      builderQuery({ ...measured, filters: [{ column: 'sensor_id', op: 'IN', value: [] }] })
    );
    await choose(selectors.builder.filterValue, 'sensor_1');
    await choose(selectors.builder.filterValue, 'sensor_4');
    await waitFor(() =>
      expect(filters(last)).toEqual([{ column: 'sensor_id', op: 'IN', value: ['sensor_1', 'sensor_4'] }])
    );
  });

  it('takes a typed filter value, as a number for a numeric column', async () => {
    const { last } = renderEditor(
      builderQuery({ ...measured, filters: [{ column: 'temperature', op: '>', value: '' }] })
    );
    await typeCustomValue(selectors.builder.filterValue, '21.5');
    await waitFor(() => expect(filters(last)).toEqual([{ column: 'temperature', op: '>', value: 21.5 }]));
  });

  it('takes a typed bucket interval', async () => {
    const { last } = renderEditor(measured);
    await typeCustomValue(selectors.builder.bucket, '15 minutes');
    await waitFor(() => expect((last() as TsBuilderQuery).bucket).toBe('15 minutes'));
  });

  it('offers only numeric columns for numeric aggregations', async () => {
    renderEditor(measured);
    await userEvent.click(within(screen.getByTestId(selectors.builder.metricColumn)).getByRole('combobox'));
    expect(await screen.findByText('humidity')).toBeInTheDocument();
    expect(screen.queryByText('sensor_id')).not.toBeInTheDocument();
  });
});

describe('QueryEditor Builder ⇄ SQL', () => {
  const built = builderQuery({
    table: 'sensor_data',
    timeColumn: 'timestamp',
    metrics: [{ column: 'temperature', aggregation: 'max' }],
    groupBy: ['sensor_id'],
  });

  it('carries the gateway’s rendering of the builder over to SQL mode, the text the preview shows', async () => {
    const { last } = renderEditor(built);
    const preview = screen.getByTestId(selectors.builder.sqlPreview);
    await waitFor(() => expect(preview).toHaveTextContent('$__timeFilter("timestamp")'), { timeout: 5000 });
    const shown = preview.textContent;
    await userEvent.click(
      within(screen.getByTestId(selectors.queryEditor.modeSwitch)).getByText(labels.queryEditor.modes.sql)
    );
    await waitFor(() => expect(last()?.mode).toBe('sql'), { timeout: 5000 });
    const sql = last() as TsSqlQuery;
    expect(sql.rawSql).toContain('max("v0")');
    expect(sql.rawSql).toBe(shown);
    expect(sql.builderSql).toBe(sql.rawSql);
    expect(screen.getByLabelText('Code editor')).toHaveValue(sql.rawSql);
  });

  it('goes back without asking while the SQL is untouched', async () => {
    const { last } = renderEditor(built);
    const modes = () => within(screen.getByTestId(selectors.queryEditor.modeSwitch));
    await userEvent.click(modes().getByText(labels.queryEditor.modes.sql));
    await waitFor(() => expect(last()?.mode).toBe('sql'), { timeout: 5000 });
    await userEvent.click(modes().getByText(labels.queryEditor.modes.builder));
    expect(screen.queryByText(labels.queryEditor.switchToBuilder.title)).not.toBeInTheDocument();
    expect(last()).toMatchObject({ mode: 'builder', table: 'sensor_data', groupBy: ['sensor_id'] });
  });

  it('warns before discarding edited SQL, and keeps it when cancelled', async () => {
    const { last } = renderEditor({ refId: 'A', mode: 'sql', rawSql: 'SELECT 42', builder: pickBuilderFields(built) });
    await userEvent.click(
      within(screen.getByTestId(selectors.queryEditor.modeSwitch)).getByText(labels.queryEditor.modes.builder)
    );
    expect(await screen.findByText(labels.queryEditor.switchToBuilder.title)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(last()).toBeUndefined();
    expect(screen.getByLabelText('Code editor')).toHaveValue('SELECT 42');
  });

  it('restores the previous builder when the discard is confirmed', async () => {
    const { last } = renderEditor({ refId: 'A', mode: 'sql', rawSql: 'SELECT 42', builder: pickBuilderFields(built) });
    await userEvent.click(
      within(screen.getByTestId(selectors.queryEditor.modeSwitch)).getByText(labels.queryEditor.modes.builder)
    );
    await userEvent.click(await screen.findByRole('button', { name: labels.queryEditor.switchToBuilder.confirm }));
    expect(last()).toMatchObject({
      mode: 'builder',
      table: 'sensor_data',
      metrics: [{ column: 'temperature', aggregation: 'max' }],
    });
    expect(last()).not.toHaveProperty('rawSql');
    expect(await screen.findByTestId(selectors.builder.root)).toBeInTheDocument();
  });
});
