/** Pieces handed to the socket: large enough that per-piece costs vanish. */
const PIECE_CHARS = 64 * 1024;
/** Array elements stringified per call. */
const ELEMENTS_PER_STEP = 2000;

/**
 * `JSON.stringify(value)`, the same text, as pieces of about 64 kB: for answers of tens of
 * megabytes (a query near the byte cap), so the whole text never exists at once next to the
 * values it is made of, and encoding takes turns with other requests as the client reads.
 * Arrays of scalars (a frame's column values) go through the native JSON.stringify a slice
 * at a time; objects and other arrays are walked. Values with toJSON (Dates) are native too.
 */
export function* jsonPieces(value: unknown): Generator<string> {
  let out = '';
  for (const part of walk(value)) {
    out += part;
    if (out.length >= PIECE_CHARS) {
      yield out;
      out = '';
    }
  }
  if (out) {
    yield out;
  }
}

function* walk(value: unknown): Generator<string> {
  if (value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    yield JSON.stringify(value) ?? 'null';
    return;
  }
  if (Array.isArray(value)) {
    if (value.some((v) => v !== null && typeof v === 'object')) {
      yield '[';
      for (let i = 0; i < value.length; i++) {
        if (i > 0) {
          yield ',';
        }
        // As JSON.stringify: undefined and functions in an array are null.
        const v = value[i];
        yield* v === undefined || typeof v === 'function' || typeof v === 'symbol' ? ['null'] : walk(v);
      }
      yield ']';
      return;
    }
    if (value.length === 0) {
      yield '[]';
    }
    for (let start = 0; start < value.length; start += ELEMENTS_PER_STEP) {
      const json = JSON.stringify(value.slice(start, start + ELEMENTS_PER_STEP));
      const last = start + ELEMENTS_PER_STEP >= value.length;
      yield (start === 0 ? '[' : ',') + json.slice(1, last ? json.length : -1);
    }
    return;
  }
  yield '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') {
      continue;
    }
    yield (first ? '' : ',') + JSON.stringify(key) + ':';
    first = false;
    yield* walk(v);
  }
  yield '}';
}

/** Values in the frames of a query answer: above some tens of thousands, it is worth streaming. */
export function countFrameValues(response: {
  results: Record<string, { frames: Array<{ data: { values: unknown[][] } }> }>;
}): number {
  let n = 0;
  for (const result of Object.values(response.results)) {
    for (const frame of result.frames) {
      for (const column of frame.data.values) {
        n += column.length;
      }
    }
  }
  return n;
}
