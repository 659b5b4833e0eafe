/**
 * Which Grafana runtime this page was bundled for (set by the host's webpack config):
 * the versions of @grafana/runtime and React the plugin is loaded into.
 */
declare const __HARNESS_RUNTIME__: { name: string; grafana: string; react: string };

export const harnessRuntime = __HARNESS_RUNTIME__;
