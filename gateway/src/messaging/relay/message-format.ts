/** The payload's top-level fields when it is a JSON object (Redis stream entries use them), else undefined. */
export function objectFields(json: string): Record<string, unknown> | undefined {
  if (!json.startsWith('{')) {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
