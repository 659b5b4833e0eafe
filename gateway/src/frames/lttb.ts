/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): picks `threshold` points of a series so
 * its line looks like the original one — of each bucket, the point forming the largest triangle
 * with the previous pick and the next bucket's average, so peaks survive where truncation or
 * averaging would cut them off. First and last points are always kept.
 *
 * `xs` ascending; a NaN `y` (a NULL reading) is never preferred and does not enter averages.
 * Returns ascending indexes.
 */
export function lttbIndices(xs: readonly number[], ys: readonly number[], threshold: number): number[] {
  const n = xs.length;
  if (threshold >= n) {
    return xs.map((_, i) => i);
  }
  if (threshold <= 2) {
    return threshold <= 0 ? [] : threshold === 1 ? [0] : [0, n - 1];
  }
  const out = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket (the last point for the last bucket).
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let sx = 0;
    let sy = 0;
    let count = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      if (Number.isNaN(ys[j])) {
        continue;
      }
      sx += xs[j];
      sy += ys[j];
      count++;
    }
    const ax = xs[a];
    const ay = Number.isNaN(ys[a]) ? 0 : ys[a];
    const avgX = count ? sx / count : xs[Math.min(nextStart, n - 1)];
    const avgY = count ? sy / count : ay;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * (ys[j] - ay) - (ax - xs[j]) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(best);
    a = best;
  }
  out.push(n - 1);
  return out;
}

/**
 * At most `maxPoints` indexes of the series: LTTB, plus the global minimum and maximum, which
 * LTTB alone may drop (a dashboard's alert threshold is often crossed by exactly that point).
 * With fewer than 4 points allowed, first, last, minimum and maximum are kept in that order.
 */
export function downsampleIndices(xs: readonly number[], ys: readonly number[], maxPoints: number): number[] {
  const n = xs.length;
  if (n <= maxPoints) {
    return xs.map((_, i) => i);
  }
  let lo = -1;
  let hi = -1;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(ys[i])) {
      continue;
    }
    if (lo < 0 || ys[i] < ys[lo]) {
      lo = i;
    }
    if (hi < 0 || ys[i] > ys[hi]) {
      hi = i;
    }
  }
  const extremes = [lo, hi].filter((i) => i >= 0);
  if (maxPoints < 4) {
    return [...new Set([0, n - 1, ...extremes])].slice(0, Math.max(0, maxPoints)).sort((x, y) => x - y);
  }
  const picked = new Set(lttbIndices(xs, ys, maxPoints - 2));
  for (const i of extremes) {
    picked.add(i);
  }
  return [...picked].sort((x, y) => x - y);
}
