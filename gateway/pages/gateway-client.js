/**
 * The REST calls the example pages make, with the token typed into the page. The token lives
 * in this closure only: never in the URL, a cookie or browser storage, so reloading the page
 * forgets it.
 */
export function createGatewayClient() {
  let token = '';

  async function get(path) {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const reason = body && body.message ? body.message : response.statusText;
      throw new Error(`${response.status} ${reason}`);
    }
    return body;
  }

  return {
    setToken(value) {
      token = value.trim();
    },
    hasToken: () => token !== '',
    get,
    /** The catalog's view of a table: its columns and its time column. */
    columns: (table) => get(`/api/v1/catalog/${encodeURIComponent(table)}/columns`),
  };
}
