import { render, screen } from '@testing-library/react';
import React from 'react';

import { FormatSelect } from './FormatSelect';

describe('FormatSelect', () => {
  it('is a radio group with an accessible name, as Grafana’s own editors label theirs', () => {
    render(<FormatSelect format={'table'} onChange={jest.fn()} />);
    expect(screen.getByRole('radiogroup', { name: 'Format' })).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'Table' })).toBeChecked();
  });
});
