/**
 * What both example pages share: the token form, the status line, and the chart element's
 * data attributes that say what was drawn (read by people in the inspector and by the tests).
 */
export function pageShell({ onConnect }) {
  const form = document.getElementById('token-form');
  const input = document.getElementById('token');
  const status = document.getElementById('status');
  const chart = document.getElementById('chart');

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
      const points = result.series.reduce((n, s) => n + s.x.length, 0);
      const how = result.bucket ? `avg per ${result.bucket}` : 'raw readings';
      status.textContent = `${result.series.length} sensors, ${points} points (${how})${result.truncated ? ', truncated' : ''}`;
      status.className = 'status';
    },
    failed(err) {
      chart.dataset.state = 'error';
      status.textContent = err instanceof Error ? err.message : String(err);
      status.className = 'status error';
    },
  };
}
