/**
 * The host: sets Grafana's runtime services, loads the built plugin through the AMD
 * loader, and mounts the settings page (`/config`) or the panel editor (any other path).
 * `document.body[data-harness-state]` tells tests when the page is ready or broken.
 */
import { version as reactVersion } from 'react';
import { createRoot } from 'react-dom/client';
import { EventBusSrv, type DataSourceApi, type DataSourceSettings } from '@grafana/data';
import { setAppEvents, setBackendSrv, setDataSourceSrv, setTemplateSrv } from '@grafana/runtime';

import { HARNESS_DATASOURCE_UID } from '../testIds';
import { App } from './components/App';
import { ConfigPage } from './components/ConfigPage';
import { DashboardPage } from './components/DashboardPage';
import { QueryPage } from './components/QueryPage';
import { loadDataSourcePlugin, toInstanceSettings } from './plugin';
import { HarnessBackendSrv } from './services/backendSrv';
import { HarnessDataSourceSrv } from './services/dataSourceSrv';
import { HarnessTemplateSrv, type HarnessVariable } from './services/templateSrv';
import { harnessRuntime } from './runtimeInfo';
import { readRange, readVariableValues } from './urlState';

const start = async () => {
  const backendSrv = new HarnessBackendSrv();
  setBackendSrv(backendSrv);
  setAppEvents(new EventBusSrv());

  const dashboard = await backendSrv.get<{ variables: HarnessVariable[] }>('/api/harness/dashboard');
  const variables = dashboard.variables.map((v) => ({ ...v, current: readVariableValues(v.name) ?? v.current }));
  const templateSrv = new HarnessTemplateSrv(variables);
  setTemplateSrv(templateSrv);

  const settings = await backendSrv.get<DataSourceSettings>(`/api/datasources/uid/${HARNESS_DATASOURCE_UID}`);
  const plugin = await loadDataSourcePlugin(settings.type);
  const instantiate = (saved: DataSourceSettings) => {
    const instanceSettings = toInstanceSettings(saved, plugin.meta);
    const instance: DataSourceApi = new plugin.DataSourceClass(instanceSettings);
    instance.components = plugin.components;
    return { settings: instanceSettings, instance };
  };
  const current = instantiate(settings);
  const dataSourceSrv = new HarnessDataSourceSrv(current);
  setDataSourceSrv(dataSourceSrv);

  const onConfigPage = window.location.pathname.startsWith('/config');
  const onDashboard = window.location.pathname.startsWith('/dashboard');
  const page = onDashboard ? (
    <DashboardPage datasource={current.instance} range={readRange()} />
  ) : onConfigPage ? (
    <ConfigPage
      plugin={plugin}
      initialSettings={settings}
      onSaved={async (saved) => {
        const next = instantiate(saved);
        dataSourceSrv.setCurrent(next);
        return next.instance;
      }}
    />
  ) : (
    <QueryPage
      plugin={plugin}
      datasource={current.instance}
      templateSrv={templateSrv}
      variables={variables}
      initialRange={readRange()}
    />
  );
  createRoot(document.getElementById('root')!).render(
    <App
      title={`${plugin.meta.name} — ${onDashboard ? 'dashboard' : onConfigPage ? 'settings' : 'panel editor'}`}
      runtime={`Grafana ${harnessRuntime.grafana} · React ${reactVersion}`}
    >
      {page}
    </App>
  );
  Object.assign(window, { __harness: { backendSrv, templateSrv, plugin } });
  // The versions the plugin really runs under, for the tests to check the runtime they asked for.
  document.body.setAttribute('data-grafana-version', harnessRuntime.grafana);
  document.body.setAttribute('data-react-version', reactVersion);
  document.body.setAttribute('data-harness-state', 'ready');
};

start().catch((err: Error) => {
  document.body.setAttribute('data-harness-state', 'error');
  const pre = document.createElement('pre');
  pre.setAttribute('data-testid', 'harness-start-error');
  pre.textContent = `The harness could not load the plugin: ${err.stack ?? err.message}`;
  document.body.prepend(pre);
  throw err;
});
