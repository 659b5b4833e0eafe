import { FieldType, LoadingState } from '@grafana/data';
import type { QueryResponse } from 'timescaledb-gateway/contract';

import { GatewayError } from './gatewayClient';
import { toDataQueryResponse, toRequestErrorResponse } from './queryResponse';

const frame = (name: string) => ({
  schema: {
    name,
    fields: [
      { name: 'time', type: 'time' as const },
      { name: 'value', type: 'number' as const, labels: { sensor_id: name } },
    ],
  },
  data: {
    values: [
      [1000, 2000],
      [1.5, 2.5],
    ],
  },
});

describe('toDataQueryResponse', () => {
  const response: QueryResponse = {
    results: {
      A: { frames: [frame('s1'), frame('s2')], executedQueryString: 'SELECT a' },
      B: {
        frames: [],
        error: 'unknown macro $__nope',
        errorCode: 'unknown_macro',
        status: 400,
        executedQueryString: 'SELECT b',
      },
    },
  };

  it('decodes frames with Grafana types, labels and the executed SQL in meta', () => {
    const result = toDataQueryResponse(response, ['A', 'B']);
    const frames = result.data.filter((f) => f.refId === 'A');
    expect(frames).toHaveLength(2);
    expect(frames[0].fields[0].type).toBe(FieldType.time);
    expect(frames[1].fields[1].labels).toEqual({ sensor_id: 's2' });
    expect(frames[0].fields[1].values).toEqual([1.5, 2.5]);
    expect(frames[0].meta?.executedQueryString).toBe('SELECT a');
  });

  it('puts a failing query’s error on its refId and keeps its SQL for the inspector', () => {
    const result = toDataQueryResponse(response, ['A', 'B']);
    expect(result.state).toBe(LoadingState.Error);
    expect(result.errors).toEqual([
      expect.objectContaining({ refId: 'B', message: 'unknown macro $__nope', status: 400 }),
    ]);
    expect(result.errors?.[0].data?.error).toBe('unknown_macro');
    expect(result.data.find((f) => f.refId === 'B')?.meta?.executedQueryString).toBe('SELECT b');
  });

  it('is Done when every query succeeded', () => {
    expect(toDataQueryResponse({ results: { A: response.results.A } }, ['A']).state).toBe(LoadingState.Done);
  });
});

describe('toRequestErrorResponse', () => {
  it('shows a whole-request failure on every query', () => {
    const result = toRequestErrorResponse(new GatewayError(401, 'unauthorized', 'Unknown token'), ['A', 'B']);
    expect(result.errors?.map((e) => [e.refId, e.message])).toEqual([
      ['A', 'Unknown token'],
      ['B', 'Unknown token'],
    ]);
  });
});
