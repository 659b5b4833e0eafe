import {
  dataFrameFromJSON,
  LoadingState,
  type DataFrame,
  type DataFrameJSON,
  DataQueryErrorType,
  type DataQueryError,
  type DataQueryResponse,
} from '@grafana/data';
import type { QueryResponse } from 'timescaledb-gateway/contract';

import { errorCodeData, isTimeout, type GatewayError } from './gatewayClient';

/**
 * Decodes the gateway's frames with Grafana's own helper and puts the executed SQL
 * into frame meta, where the query inspector shows it. A failed query keeps its error
 * on its refId (shown under that query) and, when the gateway got as far as building
 * SQL, an empty frame that still carries that SQL.
 */
export const toDataQueryResponse = (response: QueryResponse, refIds: string[]): DataQueryResponse => {
  const data: DataFrame[] = [];
  const errors: DataQueryError[] = [];
  for (const refId of refIds) {
    const result = response.results[refId];
    if (!result) {
      continue;
    }
    const executedQueryString = result.executedQueryString;
    for (const json of result.frames) {
      const frame = dataFrameFromJSON(json as unknown as DataFrameJSON);
      frame.refId = refId;
      frame.meta = { ...frame.meta, ...(executedQueryString ? { executedQueryString } : {}) };
      data.push(frame);
    }
    if (result.error) {
      errors.push({
        refId,
        message: result.error,
        status: result.status,
        ...errorCodeData(result.errorCode),
        ...(result.errorCode === 'statement_timeout' ? { type: DataQueryErrorType.Timeout } : {}),
      });
      if (!result.frames.length && executedQueryString) {
        data.push({ refId, name: refId, fields: [], length: 0, meta: { executedQueryString } });
      }
    }
  }
  return errors.length ? { data, errors, state: LoadingState.Error } : { data, state: LoadingState.Done };
};

/** A whole request failed (auth, network, bad request): every query of it shows the reason. */
export const toRequestErrorResponse = (error: GatewayError, refIds: string[]): DataQueryResponse => {
  const type = isTimeout(error) ? { type: DataQueryErrorType.Timeout } : {};
  const errors: DataQueryError[] = refIds.map((refId) => ({
    refId,
    message: error.message,
    status: error.status || undefined,
    ...errorCodeData(error.code),
    ...type,
  }));
  return { data: [], errors, state: LoadingState.Error };
};
