import { Counter, Gauge, type Registry } from 'prom-client';

export interface LiveMetricsSource {
  openStreams(): number;
  distinctQueries(): number;
}

/** `gateway_live_*`: what live panels cost, read when /metrics is scraped. */
export function liveMetrics(registry: Registry, source: LiveMetricsSource): { runs: Counter } {
  const registers = [registry];
  new Gauge({
    name: 'gateway_live_streams',
    help: 'Open live streams (POST /api/v1/stream)',
    registers,
    collect() {
      this.set(source.openStreams());
    },
  });
  new Gauge({
    name: 'gateway_live_queries',
    help: 'Distinct live queries being kept up to date (each re-run once per change, whatever its number of streams)',
    registers,
    collect() {
      this.set(source.distinctQueries());
    },
  });
  return {
    runs: new Counter({
      name: 'gateway_live_runs_total',
      help: 'Live query runs (shared re-runs and catch-ups)',
      registers,
    }),
  };
}
