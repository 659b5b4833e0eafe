/**
 * One browser suite = one harness (gateway + page server) and one Chromium, shared by the
 * suite's tests; each test gets a fresh page and leaves a full-page screenshot under
 * test-results/browser/.
 */
import { after, before, describe } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

import { REPO_ROOT, startHarness, type Harness } from '../../harness/stack';
import { chromiumUnavailable, launchChromium } from './browser';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'browser');

export interface SuiteContext {
  harness: Harness;
  browser: Browser;
}

/** Builds, the gateway's start and the demo seed can take a while on a cold machine. */
const START_TIMEOUT_MS = 300_000;

export const browserSuite = (name: string, body: (ctx: SuiteContext) => void) => {
  const skip = chromiumUnavailable();
  describe(name, { skip }, () => {
    const ctx = {} as SuiteContext;
    before(
      async () => {
        ctx.harness = await startHarness();
        ctx.browser = await launchChromium();
      },
      { timeout: START_TIMEOUT_MS }
    );
    after(async () => {
      await ctx.browser?.close();
      await ctx.harness?.stop();
    });
    body(ctx);
  });
};

export interface OpenedPage {
  page: Page;
  /** Uncaught page errors seen so far: a test fails on them at its end. */
  pageErrors: string[];
}

/** Opens a harness page and waits until the plugin is loaded and mounted. */
export const openPage = async (
  ctx: SuiteContext,
  path: string,
  params: Record<string, string | string[]> = {}
): Promise<OpenedPage> => {
  const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    (Array.isArray(value) ? value : [value]).forEach((v) => search.append(key, v));
  }
  await page.goto(`${ctx.harness.url}${path}${search.size ? `?${search}` : ''}`);
  await page.waitForSelector('body[data-harness-state]', { timeout: 60_000 });
  if ((await page.getAttribute('body', 'data-harness-state')) !== 'ready') {
    throw new Error(`the harness page did not start: ${await page.locator('body').innerText()}`);
  }
  return { page, pageErrors };
};

export const screenshot = async (page: Page, name: string) => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
};
