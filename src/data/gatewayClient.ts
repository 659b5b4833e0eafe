import { getBackendSrv, type FetchError, type FetchResponse } from '@grafana/runtime';
import type { CatalogResponse, ColumnsResponse, ErrorBody, InfoResponse, QueryRequest, QueryResponse, ValuesResponse } from 'timescaledb-gateway/contract';
import { lastValueFrom, type Observable } from 'rxjs';

/** The plugin.json route's path: Grafana's data proxy forwards `<ds url>/gateway/*` to the gateway with the token. */
export const GATEWAY_ROUTE = 'gateway';
const API = 'api/v1';

/** A failed gateway call, with the gateway's error code when it sent one. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    /** ErrorBody.error, or a local code: `unreachable` when no answer came from the gateway. */
    readonly code: string,
    message: string,
    readonly details?: unknown
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

const isErrorBody = (data: unknown): data is ErrorBody =>
  typeof data === 'object' && data !== null && typeof (data as ErrorBody).error === 'string' && typeof (data as ErrorBody).message === 'string';

/** Grafana's proxy answers 502/504 itself when it cannot reach the target; the gateway always sends an ErrorBody. */
export const toGatewayError = (err: unknown): GatewayError => {
  if (err instanceof GatewayError) {
    return err;
  }
  const fetchError = err as Partial<FetchError>;
  const status = typeof fetchError?.status === 'number' ? fetchError.status : 0;
  if (isErrorBody(fetchError?.data)) {
    return new GatewayError(status, fetchError.data.error, fetchError.data.message, fetchError.data.details);
  }
  const proxyMessage = (fetchError?.data as { message?: string } | undefined)?.message ?? fetchError?.statusText;
  if (status === 0 || status === 502 || status === 503 || status === 504) {
    return new GatewayError(status, 'unreachable', proxyMessage || 'no answer from the gateway');
  }
  const message = err instanceof Error ? err.message : proxyMessage || `HTTP ${status}`;
  return new GatewayError(status, `http_${status}`, message);
};

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
    const definedParams = Object.fromEntries(Object.entries(params ?? {}).filter(([, v]) => v !== undefined && v !== ''));
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
}
