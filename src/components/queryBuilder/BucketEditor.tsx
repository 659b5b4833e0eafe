import type { SelectableValue } from '@grafana/data';
import { Select } from '@grafana/ui';
import React from 'react';

import { selectors } from 'components/selectors';
import { labels } from 'labels';

import { withCurrent } from './options';

const INTERVALS = ['1s', '10s', '30s', '1m', '5m', '15m', '30m', '1h', '6h', '12h', '1d', '1w', '1M', '1y'];

const bucketOptions: Array<SelectableValue<string>> = [
  { label: labels.builder.bucket.auto, value: 'auto' },
  ...INTERVALS.map((value) => ({ label: value, value })),
];

export interface BucketEditorProps {
  bucket?: string;
  onChange: (bucket: string) => void;
}

/** "auto" follows the panel interval; any other interval (also typed, e.g. "15 minutes") is passed on. */
export const BucketEditor = ({ bucket = 'auto', onChange }: BucketEditorProps) => (
  <div data-testid={selectors.builder.bucket}>
    <Select
      aria-label={labels.builder.bucket.label}
      options={withCurrent(bucketOptions, bucket)}
      value={bucket}
      allowCustomValue
      width={16}
      onChange={(o) => onChange(o?.value || 'auto')}
    />
  </div>
);
