import { dateTime } from '@grafana/data';
import { act, render, screen } from '@testing-library/react';
import React from 'react';
import { Subject } from 'rxjs';
import type { RenderResponse } from 'timescaledb-gateway/contract';

import { selectors } from 'components/selectors';
import type { DataSource } from 'data/datasource';
import type { EditorRenderContext } from 'data/renderContext';
import { RENDER_DEBOUNCE_MS, useRenderedSql } from 'hooks/useRenderedSql';
import { labels } from 'labels';
import { defaultBuilderQuery, type TsBuilderQuery } from 'types/query';

import { SqlPreview } from './SqlPreview';

/**
 * The preview shows what the gateway renders. The gateway is replaced by answers the test
 * releases one by one (Subjects), so the order of answers can be chosen; the real data source
 * call is covered by the live tests.
 */
const fakeGateway = () => {
  const calls: Array<{ query: TsBuilderQuery; answer: Subject<RenderResponse>; cancelled: () => boolean }> = [];
  const datasource = {
    renderBuilder: (query: TsBuilderQuery) => {
      const answer = new Subject<RenderResponse>();
      calls.push({ query, answer, cancelled: () => !answer.observed });
      return answer;
    },
  } as unknown as DataSource;
  return { datasource, calls };
};

const context: EditorRenderContext = {
  range: {
    from: dateTime('2026-11-25T00:00:00Z'),
    to: dateTime('2026-11-26T00:00:00Z'),
    raw: { from: 'now-1d', to: 'now' },
  },
  intervalMs: 60_000,
  maxDataPoints: 1000,
  timezone: 'utc',
  scopedVars: {},
};

const query = (column: string): TsBuilderQuery => ({
  refId: 'A',
  ...defaultBuilderQuery,
  table: 'sensor_data',
  metrics: [{ column, aggregation: 'avg' }],
});
const answer = (sqlModeText: string): RenderResponse => ({ sql: 'SELECT 1', params: [], sqlModeText });

const Host = ({ datasource, q }: { datasource: DataSource; q: TsBuilderQuery }) => (
  <SqlPreview rendered={useRenderedSql(datasource, q, context)} />
);

const preview = () => screen.getByTestId(selectors.builder.sqlPreview);

describe('SQL preview', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('shows the text the gateway rendered, asked once after a pause in the editing', () => {
    const { datasource, calls } = fakeGateway();
    const { rerender } = render(<Host datasource={datasource} q={query('t')} />);
    rerender(<Host datasource={datasource} q={query('te')} />);
    rerender(<Host datasource={datasource} q={query('temperature')} />);
    act(() => jest.advanceTimersByTime(RENDER_DEBOUNCE_MS - 1));
    expect(calls).toHaveLength(0);
    act(() => jest.advanceTimersByTime(1));
    expect(calls.map((c) => c.query.metrics[0].column)).toEqual(['temperature']);
    act(() => calls[0].answer.next(answer('SELECT "m0" AS "avg(temperature)" FROM …')));
    expect(preview()).toHaveTextContent('SELECT "m0" AS "avg(temperature)" FROM …');
  });

  it('does not ask again for the same query in new objects', () => {
    const { datasource, calls } = fakeGateway();
    const { rerender } = render(<Host datasource={datasource} q={query('temperature')} />);
    act(() => jest.advanceTimersByTime(RENDER_DEBOUNCE_MS));
    rerender(<Host datasource={datasource} q={query('temperature')} />);
    act(() => jest.advanceTimersByTime(RENDER_DEBOUNCE_MS));
    expect(calls).toHaveLength(1);
  });

  it('cancels an older rendering when a newer edit arrives, and drops its late answer', () => {
    const { datasource, calls } = fakeGateway();
    const { rerender } = render(<Host datasource={datasource} q={query('humidity')} />);
    act(() => jest.advanceTimersByTime(RENDER_DEBOUNCE_MS));
    rerender(<Host datasource={datasource} q={query('temperature')} />);
    act(() => jest.advanceTimersByTime(RENDER_DEBOUNCE_MS));
    expect(calls).toHaveLength(2);
    expect(calls[0].cancelled()).toBe(true);
    act(() => calls[1].answer.next(answer('newer: temperature')));
    act(() => calls[0].answer.next(answer('older: humidity')));
    expect(preview()).toHaveTextContent('newer: temperature');
    expect(preview()).not.toHaveTextContent('humidity');
  });

  it('keeps the previous text while a newer one is on its way', () => {
    const { datasource, calls } = fakeGateway();
    const { rerender } = render(<Host datasource={datasource} q={query('humidity')} />);
    act(() => jest.advanceTimersByTime(RENDER_DEBOUNCE_MS));
    act(() => calls[0].answer.next(answer('first text')));
    rerender(<Host datasource={datasource} q={query('temperature')} />);
    expect(preview()).toHaveTextContent('first text');
    expect(preview()).toHaveAttribute('aria-busy', 'true');
  });

  it('shows the gateway’s error', () => {
    const { datasource, calls } = fakeGateway();
    render(<Host datasource={datasource} q={query('nope')} />);
    act(() => jest.advanceTimersByTime(RENDER_DEBOUNCE_MS));
    act(() =>
      calls[0].answer.error({
        status: 400,
        data: { error: 'unknown_column', message: 'Unknown column "nope" (metric) in table "sensor_data"' },
      })
    );
    const alert = screen.getByTestId(selectors.builder.sqlPreviewError);
    expect(alert).toHaveTextContent(labels.builder.preview.error);
    expect(alert).toHaveTextContent('Unknown column "nope"');
  });

  it('asks nothing until the query can run', () => {
    const { datasource, calls } = fakeGateway();
    render(<Host datasource={datasource} q={{ ...query(''), table: 'sensor_data' }} />);
    act(() => jest.advanceTimersByTime(RENDER_DEBOUNCE_MS * 2));
    expect(calls).toHaveLength(0);
    expect(preview()).toHaveTextContent(labels.builder.preview.empty);
  });
});
