import { ERROR_CODE_NAMES } from 'timescaledb-gateway/contract/error-codes';

import { errorCodeOf, GatewayError, GRAFANA_AUTH_FAILED, LocalErrorCode, toGatewayError } from './gatewayClient';
import { toRequestErrorResponse } from './queryResponse';
import { describeTestFailure } from './testDatasource';

describe('toGatewayError', () => {
  it('keeps the gateway’s code, whatever the status says', () => {
    const error = toGatewayError({
      status: 503,
      data: { error: 'sql_mode_unavailable', message: 'SQL mode cannot reach its reader login' },
    });
    expect(error).toEqual(expect.objectContaining({ status: 503, code: 'sql_mode_unavailable' }));
    // 503 without a code would read as an unreachable gateway.
    expect(toGatewayError({ status: 503 }).code).toBe(LocalErrorCode.unreachable);
  });

  it('matches on the code, not the message: a coded body keeps its code whatever its text', () => {
    const error = toGatewayError({ status: 400, data: { error: 'invalid_range', message: GRAFANA_AUTH_FAILED } });
    expect(error.code).toBe('invalid_range');
  });

  it('falls back to the status when the body carries no code from the catalogue', () => {
    // Grafana's client turns a non-JSON body into {message, error: statusText}.
    const proxied = toGatewayError({ status: 400, data: { error: 'Bad Request', message: GRAFANA_AUTH_FAILED } });
    expect(proxied.code).toBe(LocalErrorCode.unauthorized);
    expect(proxied.status).toBe(401);
    const unknown = toGatewayError({ status: 418, data: { error: 'not_a_code_we_know', message: 'teapot' } });
    expect(unknown.code).toBe('http_418');
    expect(toGatewayError({ status: 504 }).code).toBe(LocalErrorCode.timeout);
  });

  it('reads a code from a JSON text or a parsed body, only when the catalogue has it', () => {
    expect(errorCodeOf('{"error":"too_many_streams","message":"x"}')).toBe('too_many_streams');
    expect(errorCodeOf({ error: 'unknown_table' })).toBe('unknown_table');
    expect(errorCodeOf({ error: 'Service Unavailable' })).toBeUndefined();
    expect(errorCodeOf('<html>bad gateway</html>')).toBeUndefined();
    expect(ERROR_CODE_NAMES.every((code) => errorCodeOf({ error: code }) === code)).toBe(true);
  });
});

describe('a coded error surfaced to Grafana', () => {
  it('keeps the code on every DataQueryError of a failed request', () => {
    const response = toRequestErrorResponse(new GatewayError(429, 'rate_limited', 'Too many requests'), ['A', 'B']);
    expect(response.errors?.map((e) => [e.refId, e.data?.error])).toEqual([
      ['A', 'rate_limited'],
      ['B', 'rate_limited'],
    ]);
  });

  it('"Save & test" tells a missing right by the forbidden code', () => {
    const result = describeTestFailure(new GatewayError(403, 'forbidden', 'Token lacks the read scope'), 'http://gw');
    expect(result.message).toMatch(/Token lacks the read scope$/);
    expect(result.details).toEqual({ message: 'forbidden: Token lacks the read scope' });
  });
});
