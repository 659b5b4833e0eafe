/**
 * A fetch-based stand-in for Grafana's BackendSrv with the behaviour plugins rely on:
 * relative URLs go to the page's server (whose data proxy applies the plugin.json
 * routes), `params` become the query string, JSON bodies are serialised, a newer request
 * with the same `requestId` cancels the older one, and failures arrive as FetchError
 * objects shaped like Grafana's (`data.message` always set).
 */
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { lastValueFrom, Observable } from 'rxjs';

const toQueryString = (params: Record<string, unknown> | undefined): string => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) {
        search.append(key, String(item));
      }
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
};

const parseBody = async (response: Response, responseType: BackendSrvRequest['responseType']): Promise<unknown> => {
  if (responseType === 'arraybuffer') {
    return response.arrayBuffer();
  }
  if (responseType === 'blob') {
    return response.blob();
  }
  const text = await response.text();
  if (responseType === 'text') {
    return text;
  }
  try {
    // Like Grafana's parseResponseBody: an empty body stays "" (then data.message = statusText).
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** Grafana's processRequestError: errors always carry `data.message`. */
const toFetchError = (config: BackendSrvRequest, status: number, statusText: string, data: unknown): FetchError => {
  let body: any = data ?? { message: 'Unexpected error' };
  if (typeof body === 'string') {
    body = { message: body, error: statusText, response: body };
  }
  if (body && !body.message && typeof body.error === 'string') {
    body.message = body.error;
  }
  return { status, statusText, data: body, config, message: body?.message };
};

export class HarnessBackendSrv implements BackendSrv {
  private inFlight = new Map<string, AbortController>();
  /** Every request made, newest last — the tests read it like Grafana's query inspector. */
  readonly log: Array<{ method: string; url: string; status: number }> = [];

  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      if (options.requestId) {
        this.inFlight.get(options.requestId)?.abort();
        this.inFlight.set(options.requestId, controller);
      }
      options.abortSignal?.addEventListener('abort', () => controller.abort());
      const method = (options.method ?? 'GET').toUpperCase();
      const headers: Record<string, string> = {
        accept: 'application/json, text/plain, */*',
        ...(options.headers ?? {}),
      };
      let body: BodyInit | undefined;
      if (options.data !== undefined && method !== 'GET') {
        if (typeof options.data === 'string' || options.data instanceof FormData || options.data instanceof Blob) {
          body = options.data;
        } else {
          body = JSON.stringify(options.data);
          headers['content-type'] = headers['content-type'] ?? 'application/json';
        }
      }
      const url = options.url + toQueryString(options.params);
      fetch(url, { method, headers, body, signal: controller.signal, credentials: 'same-origin' })
        .then(async (response) => {
          const data = await parseBody(response, options.responseType);
          this.log.push({ method, url, status: response.status });
          if (!response.ok) {
            throw toFetchError(options, response.status, response.statusText, data);
          }
          subscriber.next({
            data: data as T,
            status: response.status,
            statusText: response.statusText,
            ok: true,
            headers: response.headers,
            redirected: response.redirected,
            type: response.type,
            url: response.url,
            config: options,
          });
          subscriber.complete();
        })
        .catch((err: unknown) => {
          if (controller.signal.aborted) {
            // Grafana completes a cancelled request with a `cancelled` error.
            subscriber.error({
              ...toFetchError(options, -1, 'Request was aborted', { message: 'Request was aborted' }),
              cancelled: true,
            });
          } else if (err instanceof Error) {
            subscriber.error(toFetchError(options, 0, err.message, { message: err.message }));
          } else {
            subscriber.error(err);
          }
        })
        .finally(() => {
          if (options.requestId && this.inFlight.get(options.requestId) === controller) {
            this.inFlight.delete(options.requestId);
          }
        });
      return () => controller.abort();
    });
  }

  async datasourceRequest<T = unknown>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
    return lastValueFrom(this.fetch<T>(options));
  }

  async request<T = unknown>(options: BackendSrvRequest): Promise<T> {
    return (await this.datasourceRequest<T>(options)).data;
  }

  get<T = any>(url: string, params?: any, requestId?: string, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, method: 'GET', url, params, requestId });
  }

  delete<T = unknown>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, method: 'DELETE', url, data });
  }

  post<T = any>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, method: 'POST', url, data });
  }

  patch<T = any>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, method: 'PATCH', url, data });
  }

  put<T = any>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, method: 'PUT', url, data });
  }

  /**
   * As Grafana's: the body as it arrives, one emission per chunk, each with the response's
   * status and headers (a refusal is not an error here: its JSON body comes as chunks with
   * `ok: false`); completes at the end of the body; unsubscribing aborts the request.
   */
  chunked(options: BackendSrvRequest): Observable<FetchResponse<Uint8Array | undefined>> {
    return new Observable<FetchResponse<Uint8Array | undefined>>((subscriber) => {
      const controller = new AbortController();
      const method = (options.method ?? 'GET').toUpperCase();
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      let body: BodyInit | undefined;
      if (options.data !== undefined && method !== 'GET') {
        body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
        headers['content-type'] = headers['content-type'] ?? 'application/json';
      }
      const url = options.url + toQueryString(options.params);
      fetch(url, { method, headers, body, signal: controller.signal, credentials: 'same-origin' })
        .then(async (response) => {
          this.log.push({ method, url, status: response.status });
          const base = {
            status: response.status,
            statusText: response.statusText,
            ok: response.ok,
            headers: response.headers,
            redirected: response.redirected,
            type: response.type,
            url: response.url,
            config: options,
          };
          if (!response.body) {
            subscriber.next({ ...base, data: undefined });
            subscriber.complete();
            return;
          }
          const reader = response.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) {
              break;
            }
            subscriber.next({ ...base, data: value });
          }
          subscriber.complete();
        })
        .catch((err: unknown) => {
          if (!controller.signal.aborted) {
            subscriber.error(
              toFetchError(options, 0, String((err as Error)?.message ?? err), {
                message: String((err as Error)?.message ?? err),
              })
            );
          }
        });
      return () => controller.abort();
    });
  }
}
