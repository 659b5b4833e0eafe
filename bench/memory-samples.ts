/**
 * Samples a gateway's memory from its own /metrics while a benchmark runs: RSS and V8's used heap
 * (prom-client's default process metrics). A leak shows as used-heap troughs (the lows right after
 * collections) that keep rising from one part of the run to the next; warm-up and garbage that
 * waits for a major collection show as RSS growth with flat troughs.
 */
export interface MemorySample {
  atS: number;
  rssMb: number;
  heapUsedMb: number;
}

const metric = (text: string, name: string) =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;

export function sampleMemory(
  metricsUrl: string,
  headers: Record<string, string>,
  everyMs: number
): { stop(): Promise<MemorySample[]> } {
  const started = performance.now();
  const samples: MemorySample[] = [];
  let pending: Promise<void> = Promise.resolve();
  const take = () => {
    pending = fetch(metricsUrl, { headers })
      .then((r) => r.text())
      .then((text) => {
        samples.push({
          atS: (performance.now() - started) / 1000,
          rssMb: metric(text, 'gateway_process_resident_memory_bytes'),
          heapUsedMb: metric(text, 'gateway_nodejs_heap_size_used_bytes'),
        });
      })
      .catch(() => undefined);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      take();
      await pending;
      return samples;
    },
  };
}

/** The run cut in `parts`: per part, the lowest used heap and the last RSS. */
export function memoryByPart(
  samples: MemorySample[],
  parts: number
): Array<{ toS: number; heapLowMb: number; rssMb: number }> {
  const end = samples.at(-1)?.atS ?? 0;
  return Array.from({ length: parts }, (_, i) => {
    const inPart = samples.filter((s) => s.atS > (end * i) / parts && s.atS <= (end * (i + 1)) / parts);
    return {
      toS: (end * (i + 1)) / parts,
      heapLowMb: Math.min(...inPart.map((s) => s.heapUsedMb)),
      rssMb: inPart.at(-1)?.rssMb ?? NaN,
    };
  });
}
