/**
 * The frames as Grafana's table panel shows them: @grafana/ui's Table after the field
 * overrides pass (display processors), with a frame picker when a query returned several.
 */
import { useMemo, useState } from 'react';
import { applyFieldOverrides, type DataFrame } from '@grafana/data';
import { Select, Table, useTheme2 } from '@grafana/ui';

import { harnessIds } from '../../testIds';

export interface FramesTableProps {
  frames: DataFrame[];
  width: number;
  height: number;
}

export const FramesTable = ({ frames, width, height }: FramesTableProps) => {
  const theme = useTheme2();
  const [index, setIndex] = useState(0);
  const processed = useMemo(
    () =>
      applyFieldOverrides({
        data: frames,
        fieldConfig: { defaults: {}, overrides: [] },
        replaceVariables: (value: string) => value,
        theme,
        timeZone: 'utc',
      }),
    [frames, theme]
  );
  if (!processed.length) {
    return null;
  }
  const frame = processed[Math.min(index, processed.length - 1)];
  const rows = processed.reduce((sum, f) => sum + f.length, 0);
  return (
    <div data-testid={harnessIds.table}>
      <div style={{ display: 'flex', gap: 8, alignItems: 'center', marginBottom: 4 }}>
        <span data-testid={harnessIds.tableRowCount} data-rows={rows} data-frames={processed.length}>
          {rows} rows in {processed.length} frame{processed.length === 1 ? '' : 's'}
        </span>
        {processed.length > 1 && (
          <Select
            width={40}
            value={index}
            options={processed.map((f, i) => ({ value: i, label: f.name || `Frame ${i + 1}` }))}
            onChange={(v) => setIndex(v.value ?? 0)}
          />
        )}
      </div>
      <Table data={frame} width={width} height={height} />
    </div>
  );
};
