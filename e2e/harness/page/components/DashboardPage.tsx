/**
 * A dashboard in miniature (`/dashboard`): several panels of the data source, a dashboard
 * ad hoc filter variable and an annotation query, all from the URL as a Grafana dashboard
 * link would carry them:
 * - `panel=<query JSON>` (repeated): one panel per query, run like Grafana's query runner
 *   runs it, with the ad hoc filters in `request.filters` (as Grafana passes them to every
 *   query of the data source);
 * - `filter=key|operator|value` (repeated): the ad hoc filters (Grafana's `var-<name>` syntax);
 * - `annotation=<annotation JSON>`: run as Grafana's executeAnnotationQuery does it — the data
 *   source's prepareAnnotation / prepareQuery, then its processEvents or else Grafana's
 *   standard processing with the annotation's field `mappings`.
 */
import { useEffect, useState } from 'react';
import {
  LoadingState,
  type AdHocVariableFilter,
  type AnnotationEvent,
  type AnnotationQuery,
  type DataQuery,
  type DataSourceApi,
  type PanelData,
  type TimeRange,
} from '@grafana/data';
import { Alert, Button, Stack } from '@grafana/ui';
import { lastValueFrom } from 'rxjs';

import { harnessIds } from '../../testIds';
import { buildRequest, observeQuery, runQuery } from '../runQuery';
import { standardAnnotationEvents } from './annotationEvents';
import { FramesTable } from './FramesTable';
import { TimeSeriesChart } from './TimeSeriesChart';

const PANEL_WIDTH = 1180;

export interface DashboardPageProps {
  datasource: DataSourceApi;
  range: TimeRange;
  search?: string;
}

const readDashboard = (search: string) => {
  const params = new URLSearchParams(search);
  const panels = params
    .getAll('panel')
    .map((json, i) => ({ refId: String.fromCharCode(65 + i), ...JSON.parse(json) }) as DataQuery);
  const filters: AdHocVariableFilter[] = params.getAll('filter').map((text) => {
    const [key, operator, ...value] = text.split('|');
    return { key, operator, value: value.join('|') };
  });
  const annotation = params.get('annotation');
  return { panels, filters, annotation: annotation ? (JSON.parse(annotation) as AnnotationQuery) : undefined };
};

const runPanel = (
  ds: DataSourceApi,
  query: DataQuery,
  range: TimeRange,
  filters: AdHocVariableFilter[],
  onData: (data: PanelData) => void
) => observeQuery(ds, { ...buildRequest(ds, query, range, PANEL_WIDTH), filters }, onData);

/** Points on the panel: values over every frame (a live panel's count grows as rows arrive). */
const pointCount = (data?: PanelData) => (data?.series ?? []).reduce((n, frame) => n + frame.length, 0);

const runAnnotation = async (
  ds: DataSourceApi,
  json: AnnotationQuery,
  range: TimeRange
): Promise<AnnotationEvent[]> => {
  const support = ds.annotations ?? {};
  const annotation = support.prepareAnnotation ? support.prepareAnnotation(json) : json;
  const query = support.prepareQuery ? support.prepareQuery(annotation) : annotation.target;
  if (!query) {
    return [];
  }
  const data = await runQuery(ds, buildRequest(ds, { ...query, refId: 'Anno' }, range, PANEL_WIDTH));
  if (data.errors?.length) {
    throw new Error(data.errors[0].message);
  }
  if (support.processEvents) {
    return (await lastValueFrom(support.processEvents(annotation, data.series))) ?? [];
  }
  return standardAnnotationEvents(data.series, annotation.mappings);
};

interface PanelProps {
  datasource: DataSourceApi;
  initial: DataQuery & { live?: boolean };
  range: TimeRange;
  filters: AdHocVariableFilter[];
}

/** One panel, subscribed to its query for as long as it shows it; "Live" flips the query's switch and runs it again. */
const Panel = ({ datasource, initial, range, filters }: PanelProps) => {
  const [query, setQuery] = useState(initial);
  const [data, setData] = useState<PanelData>();
  useEffect(() => runPanel(datasource, query, range, filters, setData), [datasource, query, range, filters]);
  return (
    <section
      data-testid={harnessIds.dashboardPanel}
      data-ref={query.refId}
      data-state={data?.state ?? LoadingState.Loading}
      data-points={pointCount(data)}
    >
      <strong>Panel {query.refId}</strong>{' '}
      <Button
        size="sm"
        variant="secondary"
        data-testid={harnessIds.dashboardPanelLive}
        onClick={() => setQuery((q) => ({ ...q, live: !q.live }))}
      >
        {query.live ? 'Live: on' : 'Live: off'}
      </Button>
      {(data?.errors ?? []).map((error, i) => (
        <div key={i} data-testid={harnessIds.panelError}>
          <Alert severity="error" title={error.message ?? 'Query error'} />
        </div>
      ))}
      <TimeSeriesChart
        frames={data?.series ?? []}
        from={range.from.valueOf()}
        to={range.to.valueOf()}
        width={PANEL_WIDTH}
        height={200}
      />
      <FramesTable frames={data?.series ?? []} width={PANEL_WIDTH} height={160} />
    </section>
  );
};

export const DashboardPage = ({
  datasource,
  range: givenRange,
  search = window.location.search,
}: DashboardPageProps) => {
  const [dashboard] = useState(() => readDashboard(search));
  // The range as the dashboard opened: panels stay subscribed to it (a live one slides it itself).
  const [range] = useState(givenRange);
  const [events, setEvents] = useState<{ state: string; events: AnnotationEvent[]; error?: string }>({
    state: 'Loading',
    events: [],
  });

  useEffect(() => {
    if (dashboard.annotation) {
      runAnnotation(datasource, dashboard.annotation, range).then(
        (found) => setEvents({ state: 'Done', events: found }),
        (err: Error) => setEvents({ state: 'Error', events: [], error: err.message })
      );
    }
    // A dashboard runs its panels once when it opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div data-testid={harnessIds.dashboardPage}>
      <Stack direction="column" gap={2}>
        <div>Filters: {dashboard.filters.map((f) => `${f.key} ${f.operator} ${f.value}`).join(', ') || 'none'}</div>
        {dashboard.annotation && (
          <ul data-testid={harnessIds.annotations} data-state={events.state} data-error={events.error}>
            {events.events.map((event, i) => (
              <li
                key={i}
                data-testid={harnessIds.annotation}
                data-time={event.time}
                data-time-end={event.timeEnd}
                data-text={event.text}
                data-tags={(event.tags ?? []).join(',')}
              >
                {new Date(event.time ?? 0).toISOString()} {event.text} {(event.tags ?? []).join(', ')}
              </li>
            ))}
          </ul>
        )}
        {dashboard.panels.map((query) => (
          <Panel key={query.refId} datasource={datasource} initial={query} range={range} filters={dashboard.filters} />
        ))}
      </Stack>
    </div>
  );
};
