/**
 * Loads a plugin's `module.js` the way Grafana does: the bundle is an anonymous AMD
 * module, `define([...dependencies], factory)`; each dependency is one of Grafana's
 * shared modules, and `module` is the AMD meta module whose `uri` the plugin uses to
 * find its own assets (webpack public path).
 */
import { sharedModules } from './sharedModules';

type Factory = (...deps: unknown[]) => unknown;
type Define = (deps: string[] | Factory, factory?: Factory) => void;

const resolveDependency = async (name: string, moduleUri: string): Promise<unknown> => {
  if (name === 'module') {
    return { id: moduleUri, uri: moduleUri };
  }
  if (name === 'exports') {
    return {};
  }
  const load = sharedModules[name];
  if (!load) {
    throw new Error(
      `the plugin imports "${name}", which Grafana does not share with plugins (not provided by the harness)`
    );
  }
  return load();
};

export const loadAmdModule = (moduleUri: string): Promise<Record<string, unknown>> =>
  new Promise((ok, fail) => {
    const win = window as unknown as { define?: Define };
    let defined = false;
    win.define = (depsOrFactory, maybeFactory) => {
      defined = true;
      const deps = Array.isArray(depsOrFactory) ? depsOrFactory : [];
      const factory = (Array.isArray(depsOrFactory) ? maybeFactory : depsOrFactory) as Factory;
      Promise.all(deps.map((dep) => resolveDependency(dep, moduleUri)))
        .then((modules) => ok(factory(...modules) as Record<string, unknown>))
        .catch(fail);
    };
    const script = document.createElement('script');
    script.src = moduleUri;
    script.onload = () => {
      delete win.define;
      if (!defined) {
        fail(new Error(`${moduleUri} did not call define(): not an AMD bundle`));
      }
    };
    script.onerror = () => {
      delete win.define;
      fail(new Error(`could not load ${moduleUri}`));
    };
    document.head.appendChild(script);
  });
