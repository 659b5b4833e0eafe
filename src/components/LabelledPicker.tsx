import React, { useId, type ReactElement } from 'react';

export interface LabelledPickerProps {
  /** Goes on the box around the picker: tests find the picker's input inside it. */
  testId: string;
  /** The input's accessible name. */
  label: string;
  /** Renders the Combobox with `aria-labelledby={labelId}`. */
  children: (labelId: string) => ReactElement;
}

/**
 * Combobox takes no `aria-label` (it expects a surrounding Field's label), but several
 * pickers share one field here (a metric row has two): each gets its own hidden name.
 */
export const LabelledPicker = ({ testId, label, children }: LabelledPickerProps) => {
  const labelId = useId();
  return (
    <div data-testid={testId}>
      <span id={labelId} hidden>
        {label}
      </span>
      {children(labelId)}
    </div>
  );
};
