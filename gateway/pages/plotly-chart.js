/* global Plotly -- vendor/plotly.min.js, loaded before this module */
import { createGatewayClient } from './gateway-client.js';
import { loadSensorSeries, RANGES } from './sensor-series.js';
import { pageShell } from './page-shell.js';

/**
 * sensor_data as a Plotly time series: one trace per sensor, Plotly's range selector and zoom
 * choose the range, and every range change reads that range again from the gateway (finer
 * buckets when zoomed in).
 */
const client = createGatewayClient();
const shell = pageShell({ onConnect: (token) => connect(token) });
let range = lastRange(RANGES[0].ms);
let drawing = false;
let listening = false;
let requests = 0;

function lastRange(ms) {
  const to = new Date();
  return { from: new Date(to.getTime() - ms), to };
}

function connect(token) {
  client.setToken(token);
  range = lastRange(RANGES[0].ms);
  void redraw();
}

document.getElementById('refresh').addEventListener('click', () => {
  // Keep the span, move it to end now: the newest rows come in.
  range = lastRange(range.to.getTime() - range.from.getTime());
  void redraw();
});

const layout = () => ({
  margin: { t: 48, r: 24, b: 48, l: 56 },
  paper_bgcolor: '#ffffff',
  plot_bgcolor: '#ffffff',
  yaxis: { title: { text: 'temperature (°C)' } },
  xaxis: {
    type: 'date',
    range: [range.from, range.to],
    rangeselector: {
      buttons: RANGES.map((r) => ({ count: r.ms / 3_600_000, step: 'hour', stepmode: 'backward', label: r.label })),
    },
  },
  legend: { orientation: 'h', y: -0.15 },
});

async function redraw() {
  if (!client.hasToken()) return;
  const { from, to } = range;
  const request = ++requests;
  shell.busy('Loading…');
  try {
    const result = await loadSensorSeries(client, from, to);
    // A later range change won the race: draw only the newest answer.
    if (request !== requests) return;
    const traces = result.series.map((s) => ({
      type: 'scatter',
      mode: s.x.length < 3 ? 'markers' : 'lines',
      name: s.sensor,
      x: s.x,
      y: s.y,
    }));
    drawing = true;
    await Plotly.react(shell.chart, traces, layout(), { displaylogo: false, responsive: true });
    drawing = false;
    // Plotly adds its event methods to the element when it first becomes a plot.
    if (!listening) {
      shell.chart.on('plotly_relayout', onRelayout);
      listening = true;
    }
    shell.drawn(result, from, to);
  } catch (err) {
    drawing = false;
    if (request === requests) shell.failed(err);
  }
}

/** A relayout's x range, or null when it did not set one (autorange, y-only zoom, resize). */
function relayoutRange(event) {
  const ends = event['xaxis.range'] ?? [event['xaxis.range[0]'], event['xaxis.range[1]']];
  if (ends[0] === undefined || ends[1] === undefined) return null;
  const [from, to] = ends.map(plotlyDate);
  return Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to ? null : { from, to };
}

/** A date-axis value as Plotly gives it: epoch ms, or local wall-clock text ("2026-12-02 10:15:00.5"). */
function plotlyDate(value) {
  if (typeof value === 'number') return new Date(value);
  const text = String(value).replace(' ', 'T');
  // Date-only text would parse as UTC midnight; Plotly means local midnight.
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00` : text);
}

function onRelayout(event) {
  if (drawing) return;
  const next = relayoutRange(event);
  if (!next) return;
  range = next;
  void redraw();
}
