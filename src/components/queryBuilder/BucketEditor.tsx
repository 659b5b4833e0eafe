import { Combobox, type ComboboxOption } from '@grafana/ui';
import React from 'react';

import { LabelledPicker } from 'components/LabelledPicker';
import { selectors } from 'components/selectors';
import { labels } from 'labels';

const INTERVALS = ['1s', '10s', '30s', '1m', '5m', '15m', '30m', '1h', '6h', '12h', '1d', '1w', '1M', '1y'];

const bucketOptions: ComboboxOption[] = [{ label: labels.builder.bucket.auto, value: 'auto' }, ...INTERVALS.map((value) => ({ label: value, value }))];

export interface BucketEditorProps {
  bucket?: string;
  onChange: (bucket: string) => void;
}

/** "auto" follows the panel interval; any other interval (also typed, e.g. "15 minutes") is passed on. */
export const BucketEditor = ({ bucket = 'auto', onChange }: BucketEditorProps) => (
  <LabelledPicker testId={selectors.builder.bucket} label={labels.builder.bucket.label}>
    {(labelId) => (
      <Combobox
        aria-labelledby={labelId}
        options={bucketOptions}
        value={bucket}
        createCustomValue
        width={16}
        onChange={(option) => onChange(option.value || 'auto')}
      />
    )}
  </LabelledPicker>
);
