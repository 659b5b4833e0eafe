import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

/**
 * Combobox under jsdom, which has neither canvas nor layout: the menu is sized by text
 * measured on a canvas, and its virtual list renders the options that fit its box.
 * Give both a plausible answer for the tests of this file's caller.
 */
export const giveComboboxesLayout = () => {
  beforeAll(() => {
    jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(
      () =>
        ({
          font: '',
          measureText: (text: string) => ({ width: text.length * 7 }),
        }) as unknown as CanvasRenderingContext2D
    );
    // The virtual list's viewport: room for a dozen options.
    jest.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(400);
    jest.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(400);
  });
  afterAll(() => jest.restoreAllMocks());
};

/** The menu row Combobox adds for typed text; tests pick listed options only. */
const CUSTOM_VALUE_ROW = 'Use custom value';

const pickerInput = async (testId: string) => {
  const input = within(screen.getByTestId(testId)).getByRole('combobox');
  // A multi-value picker stays open after a choice; clicking it again would close it.
  if (input.getAttribute('aria-expanded') !== 'true') {
    await userEvent.click(input);
  }
  return input;
};

/** Opens the picker inside the element with `testId` and picks the listed option with this text. */
export const choose = async (testId: string, optionText: string) => {
  const input = await pickerInput(testId);
  const menu = () => {
    const element = document.getElementById(input.getAttribute('aria-controls') ?? '');
    expect(element).not.toBeNull();
    return element!;
  };
  const option = await waitFor(() => {
    const listed = within(menu())
      .getAllByText(optionText, { exact: true })
      .map((label) => label.closest<HTMLElement>('[role="option"]'))
      .find((row) => row && !within(row).queryByText(CUSTOM_VALUE_ROW));
    expect(listed).toBeDefined();
    return listed!;
  });
  await userEvent.click(option);
};

/** Types a value the picker does not list and takes it with Enter. */
export const typeCustomValue = async (testId: string, text: string) => {
  const input = await pickerInput(testId);
  await userEvent.type(input, text, { skipClick: true });
  await screen.findByText(CUSTOM_VALUE_ROW);
  await userEvent.keyboard('{Enter}');
};
