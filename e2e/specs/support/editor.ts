/**
 * Driving the plugin's editors the way a person does, found by the plugin's own
 * data-testids (src/components/selectors.ts): Grafana Selects are typed into and chosen
 * with Enter, Monaco gets text inserted and Ctrl+Enter.
 */
import type { Page } from 'playwright-core';

import { selectors } from '../../../src/components/selectors';

export { selectors };

export const byTestId = (id: string) => `[data-testid="${id}"]`;

/** Chooses `text` in the Grafana Select (or MultiSelect) inside the element with this test id. */
export const chooseOption = async (page: Page, testId: string, text: string, nth = 0) => {
  const input = page.locator(byTestId(testId)).nth(nth).locator('input').first();
  await input.click();
  await input.fill(text);
  // Grafana's option: the label is the first span of its body; a description may follow.
  const option = page
    .locator('[data-testid="data-testid Select option"]')
    .filter({ has: page.locator(`xpath=.//div/span[normalize-space(.)=${JSON.stringify(text)}]`) })
    .first();
  await option.waitFor({ timeout: 15_000 });
  await option.click();
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
