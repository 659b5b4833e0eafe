/**
 * A browser suite runs once per harness runtime — Grafana 13.1 with React 18 and Grafana
 * 13.2 with React 19, the one built plugin in both; `HARNESS_RUNTIME` narrows it — and
 * its name says which. The suites of a test process share one Chromium, one gateway and
 * a page server per runtime (./sharedStack); each suite starts from the data source
 * settings the harness began with, each test gets a fresh page (its own browser
 * context) and leaves a full-page screenshot under test-results/browser/<runtime>/.
 */
import { after, before, describe } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

import {
  harnessRuntime,
  parseRuntimeNames,
  RUNTIME_NAMES,
  runtimeMissing,
  runtimeVersions,
  type RuntimeName,
} from '../../harness/runtimes';
import { REPO_ROOT, type Harness } from '../../harness/stack';
import { chromiumUnavailable } from './browser';
import { SharedStack } from './sharedStack';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'browser');

export interface SuiteContext {
  runtime: RuntimeName;
  harness: Harness;
  browser: Browser;
}

/** Builds (the plugin, a runtime's host page), the gateway's start and the demo seed can take a while on a cold machine. */
const START_TIMEOUT_MS = 600_000;

const stack = new SharedStack();
after(() => stack.stop());

/** The runtimes the suites run on: `HARNESS_RUNTIME` (a name, a comma-separated list or `all`), else all. */
export const selectedRuntimes = (): RuntimeName[] => parseRuntimeNames(process.env.HARNESS_RUNTIME, RUNTIME_NAMES);

/** Why this runtime cannot run here (its packages are not installed), or undefined. Throws on CI. */
const runtimeUnavailable = (runtime: RuntimeName): string | undefined => {
  const missing = runtimeMissing(REPO_ROOT, harnessRuntime(REPO_ROOT, runtime));
  if (missing && process.env.CI === 'true') {
    throw new Error(`${missing}; CI=true requires every harness runtime`);
  }
  return missing;
};

const runtimeLabel = (runtime: RuntimeName): string => {
  const { grafana, react } = runtimeVersions(harnessRuntime(REPO_ROOT, runtime));
  return `Grafana ${grafana}, React ${react}`;
};

/** Pages a suite opened, closed when it ends even if a test failed before closing its own. */
const openedPages = new WeakMap<SuiteContext, Set<Page>>();
const pageRuntime = new WeakMap<Page, RuntimeName>();

export const browserSuite = (name: string, body: (ctx: SuiteContext) => void) => {
  const noBrowser = chromiumUnavailable();
  for (const runtime of selectedRuntimes()) {
    const missing = runtimeUnavailable(runtime);
    const skip = noBrowser ?? missing;
    describe(`${name} [${skip ? runtime : runtimeLabel(runtime)}]`, { skip }, () => {
      const ctx = { runtime } as SuiteContext;
      openedPages.set(ctx, new Set());
      before(
        async () => {
          ctx.harness = await stack.harness(runtime);
          ctx.browser = await stack.launchBrowser();
          await ctx.harness.resetDataSource();
        },
        { timeout: START_TIMEOUT_MS }
      );
      after(async () => {
        await Promise.allSettled([...(openedPages.get(ctx) ?? [])].map((page) => page.close()));
      });
      body(ctx);
    });
  }
};

export interface OpenedPage {
  page: Page;
  /** Uncaught page errors seen so far: a test fails on them at its end. */
  pageErrors: string[];
}

/**
 * Opens a harness page and waits until the plugin is loaded and mounted under the
 * suite's runtime: a page that runs another React than the runtime's is an error.
 */
export const openPage = async (
  ctx: SuiteContext,
  path: string,
  params: Record<string, string | string[]> = {}
): Promise<OpenedPage> => {
  const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
  openedPages.get(ctx)?.add(page);
  pageRuntime.set(page, ctx.runtime);
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
  const react = await page.getAttribute('body', 'data-react-version');
  if (react !== ctx.harness.versions.react) {
    throw new Error(`the ${ctx.runtime} page runs React ${react}, not ${ctx.harness.versions.react}`);
  }
  return { page, pageErrors };
};

export const screenshot = async (page: Page, name: string) => {
  const dir = join(SCREENSHOT_DIR, pageRuntime.get(page) ?? 'unknown-runtime');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
};
