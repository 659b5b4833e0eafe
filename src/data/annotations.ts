import { FieldType, type AnnotationEvent, type DataFrame, type Field } from '@grafana/data';

const byName = (frame: DataFrame, ...names: string[]): Field | undefined =>
  frame.fields.find((f) => names.includes(f.name.toLowerCase()));

const toEpochMs = (value: unknown): number | undefined => {
  if (typeof value === 'number') {
    return value;
  }
  if (typeof value === 'string' && value) {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return value instanceof Date ? value.getTime() : undefined;
};

/** Tags as Grafana's SQL sources take them: a comma-separated string (or a JSON/array column). */
const toTags = (value: unknown): string[] => {
  if (Array.isArray(value)) {
    return value.map(String).filter(Boolean);
  }
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  }
  return [];
};

/**
 * Annotation rows → events. Columns: `time` (or the first time column), optional
 * `timeEnd` / `timeend` (a region), `text`, `tags`. Rows without a time are skipped.
 */
export const framesToAnnotations = (frames: DataFrame[]): AnnotationEvent[] => {
  const events: AnnotationEvent[] = [];
  for (const frame of frames) {
    const time = byName(frame, 'time') ?? frame.fields.find((f) => f.type === FieldType.time);
    if (!time) {
      continue;
    }
    const timeEnd = byName(frame, 'timeend', 'time_end');
    const text = byName(frame, 'text');
    const tags = byName(frame, 'tags');
    for (let i = 0; i < time.values.length; i++) {
      const start = toEpochMs(time.values[i]);
      if (start === undefined) {
        continue;
      }
      const end = timeEnd ? toEpochMs(timeEnd.values[i]) : undefined;
      events.push({
        time: start,
        ...(end !== undefined && end !== start ? { timeEnd: end, isRegion: true } : {}),
        text: text ? String(text.values[i] ?? '') : '',
        tags: tags ? toTags(tags.values[i]) : [],
      });
    }
  }
  return events;
};
