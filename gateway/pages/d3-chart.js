/* global d3 -- vendor/d3.min.js, loaded before this module */
import { createGatewayClient } from './gateway-client.js';
import { loadSensorSeries, RANGES } from './sensor-series.js';
import { pageShell } from './page-shell.js';
import { createLiveFollower } from './live-chart.js';

/**
 * sensor_data as a D3 line chart: one line per sensor over the chosen range, read again
 * from the gateway whenever the range changes or Refresh is pressed, then kept up to date from
 * the live stream: each delta re-joins the merged series to the drawn lines, and the time axis
 * slides with the clock. Colours and sizes are SVG attributes and classes (pages.css), so the
 * strict Content-Security-Policy holds.
 */
const WIDTH = 960;
const HEIGHT = 420;
const MARGIN = { top: 16, right: 180, bottom: 32, left: 48 };

const client = createGatewayClient();
const shell = pageShell({ onConnect: (token) => connect(token) });
const live = createLiveFollower({ client, shell, draw: ({ series, from, to }) => draw(series, from, to) });
const rangeSelect = document.getElementById('range');
let requests = 0;

for (const [i, r] of RANGES.entries()) {
  rangeSelect.add(new Option(`Last ${r.label}`, String(i)));
}

function connect(token) {
  client.setToken(token);
  void redraw();
}

rangeSelect.addEventListener('change', () => void redraw());
document.getElementById('refresh').addEventListener('click', () => void redraw());

async function redraw() {
  if (!client.hasToken()) {
    return;
  }
  const to = new Date();
  const from = new Date(to.getTime() - RANGES[Number(rangeSelect.value)].ms);
  const request = ++requests;
  live.stop();
  shell.busy('Loading…');
  try {
    const result = await loadSensorSeries(client, from, to);
    if (request !== requests) {
      return;
    }
    draw(result.series, from, to);
    shell.drawn(result, from, to);
    live.follow(result, from, to);
  } catch (err) {
    if (request === requests) {
      shell.failed(err);
    }
  }
}

function draw(series, from, to) {
  const x = d3
    .scaleTime()
    .domain([from, to])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const values = series.flatMap((s) => s.y).filter((v) => v !== null);
  const y = d3
    .scaleLinear()
    .domain(values.length ? d3.extent(values) : [0, 1])
    .nice()
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const color = d3.scaleOrdinal(d3.schemeTableau10).domain(series.map((s) => s.sensor));
  const line = d3
    .line()
    .defined((p) => p.value !== null)
    .x((p) => x(p.time))
    .y((p) => y(p.value));

  const svg = d3
    .select(shell.chart)
    .selectAll('svg')
    .data([null])
    .join('svg')
    .attr('viewBox', `0 0 ${WIDTH} ${HEIGHT}`)
    .attr('role', 'img')
    .attr('aria-label', 'temperature per sensor');
  svg
    .selectAll('g.x-axis')
    .data([null])
    .join('g')
    .attr('class', 'axis x-axis')
    .attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`)
    .call(d3.axisBottom(x).ticks(8));
  svg
    .selectAll('g.y-axis')
    .data([null])
    .join('g')
    .attr('class', 'axis y-axis')
    .attr('transform', `translate(${MARGIN.left},0)`)
    .call(d3.axisLeft(y).ticks(6));

  // The window slides while older points are kept a while: they must not cover the y axis.
  svg
    .selectAll('clipPath')
    .data([null])
    .join('clipPath')
    .attr('id', 'plot-area')
    .selectAll('rect')
    .data([null])
    .join('rect')
    .attr('x', MARGIN.left)
    .attr('y', 0)
    .attr('width', WIDTH - MARGIN.left - MARGIN.right)
    .attr('height', HEIGHT);
  const plotArea = svg
    .selectAll('g.plot-area')
    .data([null])
    .join('g')
    .attr('class', 'plot-area')
    .attr('clip-path', 'url(#plot-area)');

  plotArea
    .selectAll('path.series')
    .data(series, (s) => s.sensor)
    .join('path')
    .attr('class', 'series')
    .attr('fill', 'none')
    .attr('stroke-width', 1.5)
    .attr('stroke', (s) => color(s.sensor))
    .attr('data-sensor', (s) => s.sensor)
    .attr('data-points', (s) => s.x.length)
    .attr('d', (s) => line(s.x.map((time, i) => ({ time, value: s.y[i] }))));

  // A line needs two points: a sensor with fewer (a freshly POSTed one) shows as dots.
  const lone = series
    .filter((s) => s.x.length < 3)
    .flatMap((s) => s.x.map((time, i) => ({ sensor: s.sensor, time, value: s.y[i] })));
  plotArea
    .selectAll('circle.point')
    .data(lone.filter((p) => p.value !== null))
    .join('circle')
    .attr('class', 'point')
    .attr('r', 3.5)
    .attr('cx', (p) => x(p.time))
    .attr('cy', (p) => y(p.value))
    .attr('fill', (p) => color(p.sensor));

  svg
    .selectAll('text.legend')
    .data(series, (s) => s.sensor)
    .join('text')
    .attr('class', 'legend')
    .attr('x', WIDTH - MARGIN.right + 12)
    .attr('y', (_, i) => MARGIN.top + 12 + i * 18)
    .attr('fill', (s) => color(s.sensor))
    .text((s) => s.sensor);
}
