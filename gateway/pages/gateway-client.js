/**
 * The REST calls the example pages make, with the token typed into the page. The token lives
 * in this closure only: never in the URL, a cookie or browser storage, so reloading the page
 * forgets it. Paths are the gateway's own (the pages are same-origin); `origin` is for callers
 * elsewhere, such as the gateway's tests of these modules.
 */
export function createGatewayClient(origin = '') {
  let token = '';

  /** The gateway's JSON error as an Error carrying the HTTP status. */
  async function failure(response) {
    const body = await response.json().catch(() => null);
    const reason = body && body.message ? body.message : response.statusText;
    return Object.assign(new Error(`${response.status} ${reason}`), { status: response.status });
  }

  async function get(path) {
    const response = await fetch(`${origin}${path}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    });
    if (!response.ok) {
      throw await failure(response);
    }
    return response.json();
  }

  /** `POST /api/v1/stream`: the open response, its body the Server-Sent Events (sse-reader.js). */
  async function openStream(body, signal) {
    const response = await fetch(`${origin}/api/v1/stream`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify(body),
      cache: 'no-store',
      signal,
    });
    if (!response.ok) {
      throw await failure(response);
    }
    return response;
  }

  return {
    setToken(value) {
      token = value.trim();
    },
    hasToken: () => token !== '',
    get,
    openStream,
    /** The catalog's view of a table: its columns and its time column. */
    columns: (table) => get(`/api/v1/catalog/${encodeURIComponent(table)}/columns`),
  };
}
