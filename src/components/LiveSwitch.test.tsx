import { fireEvent, render, screen } from '@testing-library/react';
import React from 'react';

import { selectors } from 'components/selectors';

import { LiveSwitch } from './LiveSwitch';

describe('LiveSwitch', () => {
  it('reports the new state when flipped', () => {
    const onChange = jest.fn();
    const { rerender } = render(<LiveSwitch live={false} onChange={onChange} />);
    const input = screen.getByTestId(selectors.queryEditor.live);
    fireEvent.click(input);
    expect(onChange).toHaveBeenLastCalledWith(true);
    rerender(<LiveSwitch live onChange={onChange} />);
    fireEvent.click(screen.getByTestId(selectors.queryEditor.live));
    expect(onChange).toHaveBeenLastCalledWith(false);
  });
});
