/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser build). When
 * it is not installed the browser tests skip — unless CI=true, where that is a failure.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why the browser tests cannot run here, or undefined when they can. Throws on CI. */
export const chromiumUnavailable = (): string | undefined => {
  if (existsSync(CHROMIUM_PATH)) {
    return undefined;
  }
  const reason = `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
  if (process.env.CI === 'true') {
    throw new Error(`${reason}; CI=true requires the browser tests to run`);
  }
  return reason;
};

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
