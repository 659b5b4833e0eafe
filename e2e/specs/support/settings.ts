/** The data source settings page: fill in the plugin's ConfigEditor and press Save & test. */
import type { Page } from 'playwright-core';

import { harnessIds } from '../../harness/testIds';
import { byTestId, selectors } from './editor';

/** Types a URL and a fresh token into the plugin's ConfigEditor and presses Save & test. */
export const saveAndTest = async (page: Page, url: string, token: string) => {
  const urlInput = page.locator(byTestId(selectors.configEditor.url));
  await urlInput.fill(url);
  const tokenField = page.locator(byTestId(selectors.configEditor.token));
  const reset = tokenField.getByRole('button', { name: 'Reset' });
  if (await reset.count()) {
    await reset.click();
  }
  await tokenField.locator('input').fill(token);
  await page.locator(byTestId(harnessIds.saveAndTest)).click();
  const result = page.locator(byTestId(harnessIds.testResult));
  await result.waitFor({ timeout: 30_000 });
  return { status: await result.getAttribute('data-status'), text: await result.innerText() };
};
