import { createProxyBackendSrv, type ProxiedDataSource } from './dataProxy';
import { createTemplateSrv, type TestVariable } from './templateSrv';

/** What Grafana's server holds per data source (URL, decrypted token), for the data proxy stand-in. */
export const proxiedDataSources: ProxiedDataSource[] = [];

const variables: TestVariable[] = [];
export const templateSrv = createTemplateSrv(variables);
export const backendSrv = createProxyBackendSrv(proxiedDataSources);

/** Replaces the dashboard's variables for the next interpolations. */
export const setTemplateVariables = (next: TestVariable[]) => {
  variables.splice(0, variables.length, ...next);
};

/**
 * `jest.mock('@grafana/runtime', () => require('__testing__/grafanaRuntime').runtimeMock())`:
 * the real module, with Grafana's services replaced by the stand-ins above.
 */
export const runtimeMock = () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => backendSrv,
  getTemplateSrv: () => templateSrv,
});
