/**
 * What both example pages share: the token form, the status line, and the chart element's
 * data attributes that say what was drawn (read by people in the inspector and by the tests).
 */
export function pageShell({ onConnect }) {
  const form = document.getElementById('token-form');
  const input = document.getElementById('token');
  const status = document.getElementById('status');
  const chart = document.getElementById('chart');
  const live = document.getElementById('live');
  /** The REST answer last drawn: how its points were read. */
  let drawnWith = null;

  form.addEventListener('submit', (event) => {
    // The form never submits (CSP form-action 'none' too): the token must not reach a URL.
    event.preventDefault();
    onConnect(input.value);
  });

  return {
    chart,
    busy(message) {
      chart.dataset.state = 'loading';
      status.textContent = message;
      status.className = 'status';
    },
    drawn(result, from, to) {
      chart.dataset.state = 'drawn';
      chart.dataset.request = result.path;
      chart.dataset.from = from.toISOString();
      chart.dataset.to = to.toISOString();
      drawnWith = result;
      this.counted(result.series);
    },
    /** The status line's figures, again after a live delta changed the series. */
    counted(series) {
      const points = series.reduce((n, s) => n + s.x.length, 0);
      const how = drawnWith.bucket ? `avg per ${drawnWith.bucket}` : 'raw readings';
      status.textContent = `${series.length} sensors, ${points} points (${how})${drawnWith.truncated ? ', truncated' : ''}`;
      status.className = 'status';
    },
    /**
     * The live stream's state (live-stream.js) on `#live`: its text for people, and
     * data-state, data-connections, data-frames and data-cursor for the tests.
     */
    live(state, detail = {}) {
      live.dataset.state = state;
      live.dataset.connections = String(detail.connections ?? 0);
      live.dataset.frames = String(detail.frames ?? 0);
      live.dataset.cursor = detail.cursor ?? '';
      const since = detail.cursor ? ` after ${new Date(Number(detail.cursor)).toLocaleTimeString()}` : '';
      live.textContent = {
        off: 'Live: off',
        paused: 'Live: paused, the range ends in the past (Refresh follows now again)',
        connecting: `Live: connecting${since}…`,
        live: `Live: following new rows (${detail.frames ?? 0} updates)`,
        failing: `Live: the stream's query failed: ${detail.reason}`,
        reconnecting: `Live: ${detail.reason}; reconnecting in ${Math.round((detail.retryMs ?? 0) / 1000)} s from the last update`,
        stopped: `Live: stopped: ${detail.reason}`,
      }[state];
      live.className = `live-state ${state}`;
    },
    failed(err) {
      chart.dataset.state = 'error';
      status.textContent = err instanceof Error ? err.message : String(err);
      status.className = 'status error';
    },
  };
}
