import { createDataFrame, FieldType } from '@grafana/data';

import { framesToAnnotations } from './annotations';

describe('framesToAnnotations', () => {
  it('reads time, timeEnd, text and comma-separated tags', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: [1000, 5000] },
        { name: 'timeEnd', type: FieldType.time, values: [3000, null] },
        { name: 'text', type: FieldType.string, values: ['deploy', 'alarm'] },
        { name: 'tags', type: FieldType.string, values: ['ops, v2', ''] },
      ],
    });
    expect(framesToAnnotations([frame])).toEqual([
      { time: 1000, timeEnd: 3000, isRegion: true, text: 'deploy', tags: ['ops', 'v2'] },
      { time: 5000, text: 'alarm', tags: [] },
    ]);
  });

  it('falls back to the first time column and skips rows without a time', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'ts', type: FieldType.time, values: [null, 2000] },
        { name: 'text', type: FieldType.string, values: ['a', 'b'] },
      ],
    });
    expect(framesToAnnotations([frame])).toEqual([{ time: 2000, text: 'b', tags: [] }]);
  });
});
