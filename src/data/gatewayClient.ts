import { getBackendSrv, type FetchError, type FetchResponse } from '@grafana/runtime';
import type {
  CatalogResponse,
  ColumnsResponse,
  ErrorBody,
  InfoResponse,
  QueryRequest,
  QueryResponse,
  StreamRequest,
  RenderRequest,
  RenderResponse,
  ValuesResponse,
} from 'timescaledb-gateway/contract';
import { isErrorCode, type ErrorCode } from 'timescaledb-gateway/contract/error-codes';
import { lastValueFrom, type Observable } from 'rxjs';

/** The plugin.json route's path: Grafana's data proxy forwards `<ds url>/gateway/*` to the gateway with the token. */
export const GATEWAY_ROUTE = 'gateway';
const API = 'api/v1';

/** A failed gateway call, with the gateway's error code when it sent one. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    /** ErrorBody.error, or a local code when the gateway's answer carried none (see LocalErrorCode). */
    readonly code: GatewayErrorCode,
    message: string,
    readonly details?: unknown
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** The text Grafana's data proxy puts in place of any upstream 401 (pkg/api/pluginproxy/ds_proxy.go). */
export const GRAFANA_AUTH_FAILED = 'Authentication to data source failed';

/**
 * Local codes for failures that have no gateway error body, classified by HTTP status.
 * `unauthorized` is also a gateway code: Grafana's proxy hides the gateway's 401 body.
 */
export const LocalErrorCode = {
  unreachable: 'unreachable',
  timeout: 'timeout',
  unauthorized: 'unauthorized',
} as const;

/** A gateway code from the contract's catalogue, a local code, or `http_<status>` for anything else. */
export type GatewayErrorCode = ErrorCode | (typeof LocalErrorCode)[keyof typeof LocalErrorCode] | `http_${number}`;

/** The gateway's code in a refusal body (JSON text or parsed), when it sent one from the catalogue. */
export const errorCodeOf = (body: unknown): ErrorCode | undefined => {
  let data = body;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return undefined;
    }
  }
  const code = typeof data === 'object' && data !== null ? (data as { error?: unknown }).error : undefined;
  return isErrorCode(code) ? code : undefined;
};

/**
 * What a DataQueryError carries besides the text: the gateway's code in `data.error`, so
 * callers and the query inspector can match on it instead of on the message.
 */
export const errorCodeData = (code: string | undefined): { data?: { error: string; message: string } } =>
  code ? { data: { error: code, message: code } } : {};

/**
 * Only the gateway's own `{error, message}` is trusted: Grafana's client turns a text or
 * empty body into `{message, error: statusText, response}`, which looks alike — so the
 * code must be one of the contract's and no `response` copy may be present.
 */
const isGatewayErrorBody = (data: unknown): data is ErrorBody =>
  typeof data === 'object' &&
  data !== null &&
  !('response' in data) &&
  isErrorCode((data as ErrorBody).error) &&
  typeof (data as ErrorBody).message === 'string';

const textOf = (data: unknown): string | undefined => {
  if (typeof data === 'string') {
    return data;
  }
  const body = data as { message?: unknown; response?: unknown } | undefined;
  return typeof body?.response === 'string'
    ? body.response
    : typeof body?.message === 'string'
      ? body.message
      : undefined;
};

/**
 * Classifies a failed call by the gateway's code; by status only when no code came. Through Grafana's data proxy: an upstream 401
 * arrives as 400 "Authentication to data source failed"; an unreachable gateway as 502 and
 * a slow one as 504, both without a body (pkg/util/proxyutil/reverse_proxy.go).
 */
export const toGatewayError = (err: unknown): GatewayError => {
  if (err instanceof GatewayError) {
    return err;
  }
  const fetchError = err as Partial<FetchError>;
  const status = typeof fetchError?.status === 'number' ? fetchError.status : 0;
  const data = fetchError?.data;
  if (isGatewayErrorBody(data)) {
    return new GatewayError(status, data.error, data.message, data.details);
  }
  const text = textOf(data)?.trim();
  if (status === 401 || (status === 400 && text === GRAFANA_AUTH_FAILED)) {
    return new GatewayError(401, LocalErrorCode.unauthorized, text || 'Unauthorized');
  }
  if (status === 504) {
    return new GatewayError(status, LocalErrorCode.timeout, 'no answer from the gateway in time');
  }
  if (status === 0 || status === 502 || status === 503) {
    return new GatewayError(status, LocalErrorCode.unreachable, 'no answer from the gateway');
  }
  return new GatewayError(status, `http_${status}`, text || fetchError?.statusText || `HTTP ${status}`);
};

/** Gateway statement timeouts and proxy / browser timeouts alike. */
export const isTimeout = (error: GatewayError): boolean =>
  error.code === LocalErrorCode.timeout || error.code === 'statement_timeout';

/** Every call the plugin makes to the gateway, through Grafana's data proxy. */
export class GatewayClient {
  constructor(private readonly datasourceUrl: string) {}

  private url(path: string): string {
    return `${this.datasourceUrl}/${GATEWAY_ROUTE}/${API}/${path}`;
  }

  private async request<T>(observable: Observable<FetchResponse<T>>): Promise<T> {
    try {
      const response = await lastValueFrom(observable);
      return response.data;
    } catch (err) {
      throw toGatewayError(err);
    }
  }

  get<T>(path: string, params?: Record<string, string | number | undefined>): Promise<T> {
    const definedParams = Object.fromEntries(
      Object.entries(params ?? {}).filter(([, v]) => v !== undefined && v !== '')
    );
    return this.request(
      getBackendSrv().fetch<T>({ method: 'GET', url: this.url(path), params: definedParams, showErrorAlert: false })
    );
  }

  info(): Promise<InfoResponse> {
    return this.get<InfoResponse>('info');
  }

  catalog(): Promise<CatalogResponse> {
    return this.get<CatalogResponse>('catalog');
  }

  columns(table: string): Promise<ColumnsResponse> {
    return this.get<ColumnsResponse>(`catalog/${encodeURIComponent(table)}/columns`);
  }

  values(table: string, column: string, search?: string, limit?: number): Promise<ValuesResponse> {
    return this.get<ValuesResponse>(`catalog/${encodeURIComponent(table)}/values/${encodeURIComponent(column)}`, {
      q: search,
      limit,
    });
  }

  /** Per-query failures come back inside the response; only a whole-request failure throws. */
  query(body: QueryRequest, requestId?: string): Observable<FetchResponse<QueryResponse>> {
    return getBackendSrv().fetch<QueryResponse>({
      method: 'POST',
      url: this.url('query'),
      data: body,
      requestId,
      showErrorAlert: false,
    });
  }

  /** The live stream (Server-Sent Events), chunk by chunk; unsubscribing aborts the request. */
  stream(body: StreamRequest): Observable<FetchResponse<Uint8Array | undefined>> {
    return getBackendSrv().chunked({ method: 'POST', url: this.url('stream'), data: body, showErrorAlert: false });
  }

  /**
   * One builder query rendered by the gateway (its SQL and the SQL-mode text), not run.
   * Unsubscribing cancels the HTTP request, so a newer edit can drop an older rendering.
   */
  render(body: RenderRequest): Observable<FetchResponse<RenderResponse>> {
    return getBackendSrv().fetch<RenderResponse>({
      method: 'POST',
      url: this.url('query/render'),
      data: body,
      showErrorAlert: false,
    });
  }
}
