/**
 * What Grafana does with an annotation query's frames when the data source has no
 * `processEvents` of its own (public/app/features/annotations/standardAnnotationSupport.ts,
 * getAnnotationsFromData): one event per row of the first frame; each event field (time,
 * timeEnd, title, text, tags, id) is taken from the field the annotation's `mappings` name,
 * a fixed text, or — unmapped — the field of the same name (case-insensitive), else the
 * first time field for `time` and the first string field for `text`. Without a time and a
 * text there are no events. Tags are split on commas; an event with timeEnd is a region.
 */
import {
  AnnotationEventFieldSource,
  FieldType,
  getFieldDisplayName,
  type AnnotationEvent,
  type AnnotationEventMappings,
  type DataFrame,
  type Field,
} from '@grafana/data';

type EventKey = 'time' | 'timeEnd' | 'title' | 'text' | 'tags' | 'id';

const FALLBACK: Partial<Record<EventKey, (frame: DataFrame) => Field | undefined>> = {
  time: (frame) => frame.fields.find((f) => f.type === FieldType.time),
  text: (frame) => frame.fields.find((f) => f.type === FieldType.string),
};
const KEYS: EventKey[] = ['time', 'timeEnd', 'title', 'text', 'tags', 'id'];

export const standardAnnotationEvents = (
  frames: DataFrame[],
  mappings: AnnotationEventMappings = {}
): AnnotationEvent[] => {
  const frame = frames[0];
  if (!frame?.length) {
    return [];
  }
  const byName = new Map(frame.fields.map((f) => [getFieldDisplayName(f, frame).toLowerCase(), f]));
  const sources: Array<{ key: EventKey; field?: Field; text?: string }> = [];
  for (const key of KEYS) {
    const mapping = mappings[key] ?? {};
    if (mapping.source === AnnotationEventFieldSource.Skip) {
      continue;
    }
    if (mapping.source === AnnotationEventFieldSource.Text) {
      sources.push({ key, text: mapping.value });
      continue;
    }
    const field = byName.get((mapping.value || key).toLowerCase()) ?? FALLBACK[key]?.(frame);
    if (field) {
      sources.push({ key, field });
    }
  }
  if (!sources.some((s) => s.key === 'time') || !sources.some((s) => s.key === 'text')) {
    return [];
  }
  return Array.from({ length: frame.length }, (_, row) => {
    const event: AnnotationEvent = {};
    for (const { key, field, text } of sources) {
      const value = text ?? field?.values[row];
      if (value === undefined || value === null) {
        continue;
      }
      Object.assign(event, { [key]: key === 'tags' ? String(value).split(',') : value });
    }
    if (event.timeEnd !== undefined && event.timeEnd !== event.time) {
      event.isRegion = true;
    }
    return event;
  });
};
