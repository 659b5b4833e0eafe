/**
 * Driving the plugin's editors the way a person does, found by the plugin's own
 * data-testids (src/components/selectors.ts): pickers are typed into and the listed
 * option clicked, Monaco gets text inserted and Ctrl+Enter.
 */
import type { Page } from 'playwright-core';

import { selectors } from '../../../src/components/selectors';

export { selectors };

export const byTestId = (id: string) => `[data-testid="${id}"]`;

/**
 * Grafana's menu rows: Combobox options (role "option", the label in a div of its own)
 * and the older Select's (the harness's variable picker; the label in a span).
 */
const MENU_OPTION = '[role="option"], [data-testid="data-testid Select option"]';

/** The row Combobox adds for typed text: choosing it would pass whether or not the option is listed. */
const CUSTOM_VALUE_ROW = 'Use custom value';

/**
 * Chooses the listed option `text` in the picker (Combobox, MultiCombobox or a Grafana
 * Select) inside the element with this test id: types it, waits for the option the
 * picker lists (never the typed-text row) and clicks it. A multi-value picker stays open
 * after a choice, with the typed text still in it; the helper then leaves it, as a person
 * moving on does, which closes the menu and clears the text.
 */
export const chooseOption = async (page: Page, testId: string, text: string, nth = 0) => {
  const input = page.locator(byTestId(testId)).nth(nth).locator('input').first();
  await input.click();
  await input.fill(text);
  const label = `normalize-space(text())=${JSON.stringify(text)}`;
  const option = page
    .locator(MENU_OPTION)
    .filter({ has: page.locator(`xpath=.//*[${label}]`) })
    .filter({ hasNot: page.getByText(CUSTOM_VALUE_ROW, { exact: true }) })
    .first();
  await option.waitFor({ timeout: 15_000 });
  await option.click();
  if ((await input.getAttribute('aria-expanded')) === 'true') {
    await input.blur();
  }
};

export const switchMode = async (page: Page, mode: 'Builder' | 'SQL') => {
  // A RadioButtonGroup's input lies over its label: click the radio itself.
  await page
    .locator(byTestId(selectors.queryEditor.modeSwitch))
    .getByRole('radio', { name: mode, exact: true })
    .click();
};

/** The text Monaco shows (its visible lines), with the non-breaking spaces it renders made plain. */
export const monacoText = async (page: Page): Promise<string> => {
  const lines = await page.locator(`${byTestId(selectors.sqlEditor.root)} .view-line`).allInnerTexts();
  return lines.join('\n').replace(/\u00a0/g, ' ');
};

/** Replaces the SQL in Monaco. Text is inserted, not key-pressed, so completion pop-ups cannot swallow characters. */
export const typeSql = async (page: Page, sql: string) => {
  const editor = page.locator(`${byTestId(selectors.sqlEditor.root)} .monaco-editor`).first();
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(sql);
  await page.keyboard.press('Escape');
};

export const runSqlWithKeyboard = async (page: Page) => {
  await page.keyboard.press('Control+Enter');
};

/** Collapses whitespace so SQL from a <pre> and from Monaco compare equal. */
export const normaliseSql = (sql: string) => sql.replace(/\s+/g, ' ').trim();
