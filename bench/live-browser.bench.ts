/**
 * Live panels, commit → point in the browser: the harness's dashboard page in Chromium (the
 * built plugin, Grafana 13.1's runtime, the data-proxy stand-in) with one live raw panel;
 * rows are POSTed at 10 rows/s and the page notes when each row's value first shows in the
 * panel's data (`data-tail`, the newest values). This includes the plugin's ≥ 250 ms
 * throttle of streaming updates, which the stream-side figures of live.bench.ts do not.
 */
import { loadavg } from 'node:os';
import { SharedStack } from '../e2e/specs/support/sharedStack';
import { percentile } from './support';

const RATE = 10;
const SECONDS = Number(process.env.BENCH_LIVE_BROWSER_S ?? 20);

interface CatalogTable {
  name: string;
  kind: string;
  timeColumn: string | null;
}
interface CatalogColumn {
  name: string;
  kind: string;
  nullable: boolean;
}

export async function run(): Promise<string> {
  const stack = new SharedStack();
  try {
    const harness = await stack.harness('grafana-13.1');
    const browser = await stack.launchBrowser();
    await harness.resetDataSource();
    const get = async <T>(path: string) =>
      (await (
        await fetch(`${harness.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${harness.token}` } })
      ).json()) as T;
    const { columns } = await get<{ columns: CatalogColumn[] }>('/api/v1/catalog/measurements/columns');
    const { tables } = await get<{ tables: CatalogTable[] }>('/api/v1/catalog');
    const timeColumn = tables.find((t) => t.name === 'measurements')?.timeColumn;
    const metric = columns.find((c) => c.kind === 'number')?.name;
    if (!timeColumn || !metric) {
      throw new Error('the demo table measurements(timestamp, value) is missing');
    }
    const panel = {
      mode: 'builder',
      format: 'time_series',
      table: 'measurements',
      metrics: [{ column: metric, aggregation: 'none' }],
      live: true,
    };
    const page = await browser.newPage();
    const search = new URLSearchParams({ from: 'now-15m', to: 'now', panel: JSON.stringify(panel) });
    await page.goto(`${harness.url}/dashboard?${search}`);
    await page.waitForSelector('section[data-state="Streaming"]', { timeout: 60_000 });
    // The page's own clock notes each value's first appearance; both sides read Date.now() on one machine.
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { seenValues: Record<string, number> }).seenValues = seen;
      const section = document.querySelector('section[data-state]')!;
      new MutationObserver(() => {
        const now = Date.now();
        for (const v of JSON.parse(section.getAttribute('data-tail') ?? '[]') as number[]) {
          seen[String(v)] ??= now;
        }
      }).observe(section, { attributes: true, attributeFilter: ['data-tail'] });
    });

    const committed = new Map<number, number>();
    const base = 7_000_000 + Math.floor(Math.random() * 1_000_000);
    const started = Date.now();
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < RATE * SECONDS; i++) {
      const due = started + (i * 1000) / RATE;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      const value = base + i;
      writes.push(
        fetch(`${harness.gatewayUrl}/timescaledb/data/measurements`, {
          method: 'POST',
          headers: { authorization: `Bearer ${harness.writeToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ [timeColumn]: new Date().toISOString(), [metric]: value }),
        }).then(async (res) => {
          if (res.status !== 201) {
            throw new Error(`POST answered ${res.status}: ${await res.text()}`);
          }
          committed.set(value, Date.now());
        })
      );
    }
    await Promise.all(writes);
    await new Promise((r) => setTimeout(r, 3000));
    const seen = await page.evaluate(() => (window as unknown as { seenValues: Record<string, number> }).seenValues);
    const latencies: number[] = [];
    let missing = 0;
    for (const [value, at] of committed) {
      const shown = seen[String(value)];
      if (shown === undefined) {
        missing++;
      } else {
        latencies.push(shown - at);
      }
    }
    await page.close();
    return [
      '## Live panels in the browser (`bench/live-browser.bench.ts`)',
      '',
      `The harness dashboard in Chromium (built plugin, Grafana 13.1 runtime, data-proxy stand-in, embedded TimescaleDB), one live raw panel on \`measurements\`; ${RATE} rows/s POSTed for ${SECONDS} s; latency from the POST's 201 to the value showing in the panel's data, on one clock. Load average ${loadavg()[0].toFixed(2)} at the end.`,
      '',
      '| rows written | rows seen | missing | p50 ms | p99 ms | max ms |',
      '|---|---|---|---|---|---|',
      `| ${committed.size} | ${latencies.length} | ${missing} | ${percentile(latencies, 0.5).toFixed(0)} | ${percentile(latencies, 0.99).toFixed(0)} | ${Math.max(...latencies).toFixed(0)} |`,
      '',
      'The plugin throttles streaming updates to one per 250 ms, so up to 250 ms of each figure is that wait by design.',
    ].join('\n');
  } finally {
    await stack.stop();
  }
}
