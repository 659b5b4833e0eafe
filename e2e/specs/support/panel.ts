/** Reading the harness panel: its run state, the series drawn, the table and errors. */
import type { Page } from 'playwright-core';

import { harnessIds } from '../../harness/testIds';

const byId = (id: string) => `[data-testid="${id}"]`;

export interface DrawnSeries {
  name: string;
  points: number;
  nulls: number;
  /** Separate line pieces: 1 = continuous, more = the line has gaps. */
  segments: number;
}

/** How many times the panel has finished a run; pass it to waitForRun to wait for the next result. */
export const panelRuns = async (page: Page): Promise<number> =>
  Number(await page.getAttribute(byId(harnessIds.panelState), 'data-runs'));

/** Waits for a run newer than `after` to finish; returns its state (Done or Error). */
export const waitForRun = async (page: Page, after: number, timeout = 60_000): Promise<string> => {
  await page.waitForFunction(
    ({ selector, after }) => {
      const el = document.querySelector(selector);
      return !!el && Number(el.getAttribute('data-runs')) > after && el.getAttribute('data-state') !== 'Loading';
    },
    { selector: byId(harnessIds.panelState), after },
    { timeout }
  );
  return (await page.getAttribute(byId(harnessIds.panelState), 'data-state')) ?? '';
};

export const drawnSeries = (page: Page): Promise<DrawnSeries[]> =>
  page.$$eval(byId(harnessIds.chartSeries), (paths) =>
    paths.map((p) => ({
      name: p.getAttribute('data-name') ?? '',
      points: Number(p.getAttribute('data-points')),
      nulls: Number(p.getAttribute('data-nulls')),
      segments: Number(p.getAttribute('data-segments')),
    }))
  );

export const tableRowCount = async (page: Page): Promise<number> => {
  const counter = page.locator(byId(harnessIds.tableRowCount));
  return (await counter.count()) ? Number(await counter.getAttribute('data-rows')) : 0;
};

export const panelErrors = (page: Page): Promise<string[]> => page.locator(byId(harnessIds.panelError)).allInnerTexts();

export const executedSql = (page: Page): Promise<string[]> =>
  page.locator(byId(harnessIds.executedSql)).allInnerTexts();
