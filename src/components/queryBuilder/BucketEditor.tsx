import { Combobox, type ComboboxOption } from '@grafana/ui';
import React from 'react';
import { BUCKET_AUTO, BUCKET_PRESETS } from 'timescaledb-gateway/contract/vocabulary';

import { LabelledPicker } from 'components/LabelledPicker';
import { selectors } from 'components/selectors';
import { labels } from 'labels';

const bucketOptions: ComboboxOption[] = [
  { label: labels.builder.bucket.auto, value: BUCKET_AUTO },
  ...BUCKET_PRESETS.map((value) => ({ label: value, value })),
];

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
