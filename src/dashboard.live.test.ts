import type { DataFrame } from '@grafana/data';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lastValueFrom } from 'rxjs';

import { standardAnnotationEvents } from '../e2e/harness/page/components/annotationEvents';

import { setTemplateVariables } from '__testing__/grafanaRuntime';
import { createLiveDataSource } from '__testing__/liveDataSource';
import { makeRequest } from '__testing__/request';
import type { TsQuery } from 'types/query';

jest.mock('@grafana/runtime', () => require('__testing__/grafanaRuntime').runtimeMock());

/** The provisioned demo dashboard, run panel by panel against the live gateway with "All" sensors. */
const dashboard = JSON.parse(
  readFileSync(path.resolve(__dirname, '../provisioning/dashboards/timescaledb-demo.json'), 'utf8')
);

describe('demo dashboard against the live gateway', () => {
  const ds = createLiveDataSource();

  beforeAll(async () => {
    const sensorVariable = dashboard.templating.list.find((v: { name: string }) => v.name === 'sensor');
    const options = await ds.metricFindQuery(sensorVariable.query);
    expect(options.length).toBeGreaterThan(1);
    setTemplateVariables([
      { name: 'sensor', value: options.map((o) => String(o.value ?? o.text)), multi: true, includeAll: true },
    ]);
  });

  afterAll(() => setTemplateVariables([]));

  const panels: Array<[string, TsQuery[]]> = dashboard.panels.map((p: { title: string; targets: TsQuery[] }) => [
    p.title,
    p.targets,
  ]);

  it.each(panels)('panel "%s" returns data', async (_title, targets) => {
    const response = await lastValueFrom(
      ds.query(makeRequest(targets, { hours: 6, maxDataPoints: 500, intervalMs: 30_000 }))
    );
    expect(response.errors).toBeUndefined();
    const frames = response.data as DataFrame[];
    expect(frames.some((f) => f.length > 0)).toBe(true);
  });

  it('finds annotations for the "Hot readings" query', async () => {
    const annotation = dashboard.annotations.list.find((a: { name: string }) => a.name === 'Hot readings');
    const target = ds.annotations!.prepareQuery!(annotation)!;
    const response = await lastValueFrom(ds.query(makeRequest([target], { hours: 6 })));
    expect(response.errors).toBeUndefined();
    // The plugin leaves the frames to Grafana's standard annotation processing.
    expect(ds.annotations!.processEvents).toBeUndefined();
    const events = standardAnnotationEvents(response.data as DataFrame[], annotation.mappings);
    expect(events.length).toBeGreaterThan(0);
    expect(events[0].tags).toContain('hot');
  });
});
