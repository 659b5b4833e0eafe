/* global Plotly -- vendor/plotly.min.js, loaded before this module */
import { createGatewayClient } from './gateway-client.js';
import { loadSensorSeries, RANGES } from './sensor-series.js';
import { pageShell } from './page-shell.js';
import { createLiveFollower } from './live-chart.js';

/**
 * sensor_data as a Plotly time series: one trace per sensor, Plotly's range selector and zoom
 * choose the range, and every range change reads that range again from the gateway (finer
 * buckets when zoomed in). While the range ends now, new rows come over the live stream and
 * extend the traces (Plotly.extendTraces) without reading the range again.
 */
const client = createGatewayClient();
const shell = pageShell({ onConnect: (token) => connect(token) });
const live = createLiveFollower({ client, shell, draw: drawLive });
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

const traceOf = (s) => ({
  type: 'scatter',
  mode: modeOf(s.x.length),
  name: s.sensor,
  // Copies: Plotly keeps the arrays it is given, and the series are merged into later.
  x: [...s.x],
  y: [...s.y],
});

/** A line needs two points: a sensor with fewer (a freshly POSTed one) shows as markers. */
const modeOf = (points) => (points < 3 ? 'markers' : 'lines');

const CONFIG = { displaylogo: false, responsive: true };

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
  if (!client.hasToken()) {
    return;
  }
  const { from, to } = range;
  const request = ++requests;
  live.stop();
  shell.busy('Loading…');
  try {
    const result = await loadSensorSeries(client, from, to);
    // A later range change won the race: draw only the newest answer.
    if (request !== requests) {
      return;
    }
    await plot(() => Plotly.react(shell.chart, result.series.map(traceOf), layout(), CONFIG));
    // Plotly adds its event methods to the element when it first becomes a plot.
    if (!listening) {
      shell.chart.on('plotly_relayout', onRelayout);
      listening = true;
    }
    shell.drawn(result, from, to);
    live.follow(result, from, to);
  } catch (err) {
    if (request === requests) {
      shell.failed(err);
    }
  }
}

/** Runs a Plotly call whose relayout events are the page's own, not the user's range choice. */
async function plot(call) {
  drawing = true;
  try {
    await call();
  } finally {
    drawing = false;
  }
}

/**
 * A live delta: new points only extend their traces (new sensors become traces), anything
 * else draws the merged series again; either way the x axis slides to end now.
 */
async function drawLive({ series, appended, from, to }) {
  range = { from, to };
  const lengths = new Map(shell.chart.data.map((t) => [t.name, t.x.length]));
  // Extending keeps a trace's mode: a sensor that has grown from markers into a line is drawn again.
  const keepsMode = ([sensor, p]) =>
    !lengths.has(sensor) || modeOf(lengths.get(sensor)) === modeOf(lengths.get(sensor) + p.x.length);
  if (!appended || ![...appended].every(keepsMode)) {
    return plot(() => Plotly.react(shell.chart, series.map(traceOf), layout(), CONFIG));
  }
  const names = [...lengths.keys()];
  const grown = [...appended].filter(([sensor]) => names.includes(sensor));
  const added = series.filter((s) => appended.has(s.sensor) && !names.includes(s.sensor));
  // Not inside plot(): a user's zoom during the slide must still count. The slide's own
  // relayout event carries the range just set, which onRelayout ignores.
  if (grown.length) {
    await Plotly.extendTraces(
      shell.chart,
      { x: grown.map(([, p]) => p.x), y: grown.map(([, p]) => p.y) },
      grown.map(([sensor]) => names.indexOf(sensor))
    );
  }
  if (added.length) {
    await Plotly.addTraces(shell.chart, added.map(traceOf));
  }
  await Plotly.relayout(shell.chart, { 'xaxis.range': [from, to] });
}

/** A relayout's x range, or null when it did not set one (autorange, y-only zoom, resize). */
function relayoutRange(event) {
  const ends = event['xaxis.range'] ?? [event['xaxis.range[0]'], event['xaxis.range[1]']];
  if (ends[0] === undefined || ends[1] === undefined) {
    return null;
  }
  const [from, to] = ends.map(plotlyDate);
  return Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to ? null : { from, to };
}

/** A date-axis value as Plotly gives it: epoch ms, a Date passed to Plotly.relayout, or local wall-clock text ("2026-12-02 10:15:00.5"). */
function plotlyDate(value) {
  if (typeof value === 'number' || value instanceof Date) {
    return new Date(value);
  }
  const text = String(value).replace(' ', 'T');
  // Date-only text would parse as UTC midnight; Plotly means local midnight.
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00` : text);
}

function onRelayout(event) {
  if (drawing) {
    return;
  }
  const next = relayoutRange(event);
  if (!next || sameRange(next, range)) {
    return;
  }
  range = next;
  void redraw();
}

/** Plotly reports a range to the millisecond at best. */
const sameRange = (a, b) => Math.abs(a.from - b.from) <= 1 && Math.abs(a.to - b.to) <= 1;
