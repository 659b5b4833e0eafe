/** The harness's `/dashboard` page: several panels, ad hoc filters and an annotation from the URL. */
import type { Page } from 'playwright-core';

import { harnessIds } from '../../harness/testIds';
import { byTestId } from './editor';
import { openPage, type OpenedPage, type SuiteContext } from './suite';

/** A builder panel on the demo sensors: avg(temperature) per sensor_id, one series each. */
export const SENSOR_PANEL = {
  mode: 'builder',
  format: 'time_series',
  table: 'sensor_data',
  metrics: [{ column: 'temperature', aggregation: 'avg' }],
  groupBy: ['sensor_id'],
  bucket: 'auto',
  fill: 'none',
};

export interface DashboardSpec {
  /** One panel per query (refIds A, B, … in order). */
  panels: Array<Record<string, unknown>>;
  /** Ad hoc filters as [key, operator, value]. */
  filters?: Array<[string, string, string]>;
  annotation?: Record<string, unknown>;
  from?: string;
  to?: string;
}

const panel = (page: Page, refId: string) =>
  page.locator(`${byTestId(harnessIds.dashboardPanel)}[data-ref="${refId}"]`);

/** Opens the dashboard and waits until every panel (and the annotation, if any) has finished. */
export const openDashboard = async (ctx: SuiteContext, spec: DashboardSpec): Promise<OpenedPage> => {
  const opened = await openPage(ctx, '/dashboard', {
    from: spec.from ?? 'now-6h',
    to: spec.to ?? 'now',
    panel: spec.panels.map((p) => JSON.stringify(p)),
    filter: (spec.filters ?? []).map((f) => f.join('|')),
    ...(spec.annotation ? { annotation: JSON.stringify(spec.annotation) } : {}),
  });
  await opened.page.waitForFunction(
    ({ panelSelector, count, annotations }) => {
      const panels = [...document.querySelectorAll(panelSelector)];
      const done = panels.length === count && panels.every((p) => p.getAttribute('data-state') !== 'Loading');
      const list = document.querySelector(annotations);
      return done && (!list || list.getAttribute('data-state') !== 'Loading');
    },
    {
      panelSelector: byTestId(harnessIds.dashboardPanel),
      count: spec.panels.length,
      annotations: byTestId(harnessIds.annotations),
    },
    { timeout: 60_000 }
  );
  return opened;
};

export const dashboardPanelState = (page: Page, refId: string) => panel(page, refId).getAttribute('data-state');

export const dashboardPanelErrors = (page: Page, refId: string) =>
  panel(page, refId).locator(byTestId(harnessIds.panelError)).allInnerTexts();

/** Names of the series the panel's chart draws. */
export const dashboardPanelSeries = (page: Page, refId: string) =>
  panel(page, refId)
    .locator(byTestId(harnessIds.chartSeries))
    .evaluateAll((paths) => paths.map((p) => p.getAttribute('data-name') ?? ''));

export const dashboardPanelRows = async (page: Page, refId: string): Promise<number> => {
  const counter = panel(page, refId).locator(byTestId(harnessIds.tableRowCount));
  return (await counter.count()) ? Number(await counter.getAttribute('data-rows')) : 0;
};

export interface ShownAnnotation {
  time: number;
  text: string;
  tags: string;
}

export const shownAnnotations = (page: Page): Promise<ShownAnnotation[]> =>
  page.locator(byTestId(harnessIds.annotation)).evaluateAll((items) =>
    items.map((i) => ({
      time: Number(i.getAttribute('data-time')),
      text: i.getAttribute('data-text') ?? '',
      tags: i.getAttribute('data-tags') ?? '',
    }))
  );

export const annotationError = (page: Page) =>
  page.locator(byTestId(harnessIds.annotations)).getAttribute('data-error');

/** Points the panel holds over all its frames (`data-points`). */
export const dashboardPanelPoints = async (page: Page, refId: string): Promise<number> =>
  Number(await panel(page, refId).getAttribute('data-points'));

/** Flips the panel query's Live switch (the panel runs its query again, as Grafana does). */
export const toggleDashboardPanelLive = (page: Page, refId: string) =>
  panel(page, refId).locator(byTestId(harnessIds.dashboardPanelLive)).click();
