/**
 * What the browser suites of one test process share, started on first use and stopped
 * after the last test: one Chromium, one gateway, and one page server per runtime. A
 * gateway a test stopped is replaced (with the page servers, whose settings point at it).
 */
import type { Browser } from 'playwright-core';

import type { RuntimeName } from '../../harness/runtimes';
import { startHarness, startHarnessGateway, type Harness, type HarnessGateway } from '../../harness/stack';
import { launchChromium } from './browser';

/** A start that failed fails every suite that asks again with the same error, without retrying. */
const once = <T>(start: () => Promise<T>): (() => Promise<T>) => {
  let started: Promise<T> | undefined;
  return () => (started ??= start());
};

export class SharedStack {
  private browser = once(launchChromium);
  private gateway?: Promise<HarnessGateway>;
  private harnesses = new Map<RuntimeName, Promise<Harness>>();
  private launched = false;

  launchBrowser(): Promise<Browser> {
    this.launched = true;
    return this.browser();
  }

  async harness(runtime: RuntimeName): Promise<Harness> {
    const gateway = await this.runningGateway();
    let harness = this.harnesses.get(runtime);
    if (!harness) {
      harness = startHarness({ runtime, gateway });
      this.harnesses.set(runtime, harness);
    }
    return harness;
  }

  private async runningGateway(): Promise<HarnessGateway> {
    if (this.gateway) {
      const gateway = await this.gateway;
      if (gateway.running()) {
        return gateway;
      }
      await this.closePageServers();
    }
    this.gateway = startHarnessGateway();
    return this.gateway;
  }

  private async closePageServers() {
    const harnesses = [...this.harnesses.values()];
    this.harnesses.clear();
    await Promise.allSettled(harnesses.map(async (h) => (await h).stop()));
  }

  async stop() {
    if (this.launched) {
      await (await this.browser().catch(() => undefined))?.close();
    }
    await this.closePageServers();
    await (await this.gateway?.catch(() => undefined))?.stop();
  }
}
