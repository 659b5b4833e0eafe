/**
 * First script of the page. Grafana's runtime builds its `config` from
 * `window.grafanaBootData` the moment it is first imported, so the boot data goes in
 * place before anything imports @grafana/* — the host is loaded only afterwards.
 */
import { harnessBootData } from './bootData';

(window as unknown as { grafanaBootData: unknown }).grafanaBootData = harnessBootData;

import('./host').catch((err: Error) => {
  document.body.setAttribute('data-harness-state', 'error');
  document.body.textContent = `The harness failed to start: ${err.stack ?? err.message}`;
});
