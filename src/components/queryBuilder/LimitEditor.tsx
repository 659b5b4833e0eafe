import { Input } from '@grafana/ui';
import React from 'react';

import { selectors } from 'components/selectors';
import { labels } from 'labels';

export interface LimitEditorProps {
  limit?: number;
  onChange: (limit?: number) => void;
}

export const LimitEditor = ({ limit, onChange }: LimitEditorProps) => (
  <Input
    data-testid={selectors.builder.limit}
    aria-label={labels.builder.limit.label}
    type="number"
    min={1}
    width={12}
    placeholder={labels.builder.limit.placeholder}
    defaultValue={limit ?? ''}
    onBlur={(e) => {
      const value = Math.floor(Number(e.currentTarget.value));
      onChange(value >= 1 ? value : undefined);
    }}
  />
);
