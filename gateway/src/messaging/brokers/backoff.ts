/** Delay before retry number `attempt` (1, 2, …): doubling from `minMs`, capped at `maxMs`, with ±20 % jitter so several gateways do not retry in step. */
export function backoffDelay(attempt: number, minMs = 200, maxMs = 5000): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
