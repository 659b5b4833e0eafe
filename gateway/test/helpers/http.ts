import type { TestContext } from './test-context';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body (undefined when the body is not JSON). */
  body: T;
}

export interface ApiRequest {
  method?: string;
  /** Secret to send as bearer token; null sends none. Default: the admin token. */
  token?: string | null;
  headers?: Record<string, string>;
  /** Objects/arrays are sent as JSON; strings as they are. */
  body?: unknown;
}

/** One real HTTP request to the test app. */
export async function api<T = any>(ctx: TestContext, path: string, req: ApiRequest = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...req.headers };
  const token = req.token === undefined ? ctx.token : req.token;
  if (token !== null) {
    headers.authorization = `Bearer ${token}`;
  }
  let body: string | undefined;
  if (req.body !== undefined) {
    if (typeof req.body === 'string') {
      body = req.body;
    } else {
      body = JSON.stringify(req.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  const res = await fetch(ctx.baseUrl + path, {
    method: req.method ?? (body !== undefined ? 'POST' : 'GET'),
    headers,
    body,
  });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** Query string from pairs, so tests can repeat keys and keep odd characters exact. */
export function qs(pairs: Array<[string, string]>): string {
  return pairs.length ? '?' + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&') : '';
}

/** One query's result in `POST /api/v1/query`'s answer. */
export interface QueryResultBody {
  status?: number;
  errorCode?: string;
  error?: string;
  executedQueryString?: string;
  frames: Array<{ schema: { fields: Array<{ name: string; type: string }> }; data: { values: unknown[][] } }>;
}

/** `POST /api/v1/query` over 2024-01-01 (UTC), table format, refIds A, B, … in order; asserts the 200. */
export async function queryResults(
  ctx: TestContext,
  queries: Array<Record<string, unknown>>
): Promise<Record<string, QueryResultBody>> {
  const res = await api(ctx, '/api/v1/query', {
    body: {
      range: { from: '2024-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z' },
      queries: queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), format: 'table', ...q })),
    },
  });
  if (res.status !== 200) {
    throw new Error(`POST /api/v1/query answered ${res.status}: ${res.text}`);
  }
  return res.body.results;
}
