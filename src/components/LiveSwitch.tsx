import { InlineSwitch } from '@grafana/ui';
import React from 'react';

import { selectors } from 'components/selectors';
import { labels } from 'labels';

export interface LiveSwitchProps {
  live: boolean;
  onChange: (live: boolean) => void;
}

/** The query's "Live" switch, for builder and SQL mode alike (see data/live/). */
export const LiveSwitch = ({ live, onChange }: LiveSwitchProps) => (
  <InlineSwitch
    data-testid={selectors.queryEditor.live}
    label={labels.queryEditor.live.label}
    showLabel
    transparent
    value={live}
    title={labels.queryEditor.live.tooltip}
    onChange={(event) => onChange(event.currentTarget.checked)}
  />
);
