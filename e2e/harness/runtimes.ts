/**
 * The Grafana frontends the harness hosts the one built plugin in. Grafana 13.1 runs
 * plugins under React 18; 13.2 and later under React 19 (their @grafana/ui and
 * @grafana/runtime require it). The plugin builds against the root's packages; the host
 * page is bundled once per runtime from the modules Grafana shares with plugins, each
 * runtime's installed in a package folder of its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const RUNTIME_NAMES = ['grafana-13.1', 'grafana-13.2'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

/** The runtime the plugin is built against (the root's own packages). */
export const BUILD_RUNTIME: RuntimeName = 'grafana-13.1';

export interface HarnessRuntime {
  name: RuntimeName;
  /** The package folder whose package.json and package-lock.json pin this runtime. */
  packageDir: string;
  /** Where the host page finds react, @grafana/*, rxjs… for this runtime. */
  modulesDir: string;
  lockFile: string;
  /** Where this runtime's host page is built. */
  hostDir: string;
}

/** The versions a runtime's page really runs, read from the installed packages. */
export interface RuntimeVersions {
  grafana: string;
  react: string;
}

export const harnessRuntime = (repoRoot: string, name: RuntimeName): HarnessRuntime => {
  const packageDir = name === BUILD_RUNTIME ? repoRoot : join(repoRoot, 'e2e', 'runtimes', name);
  return {
    name,
    packageDir,
    modulesDir: join(packageDir, 'node_modules'),
    lockFile: join(packageDir, 'package-lock.json'),
    hostDir: join(repoRoot, 'e2e', 'harness', 'dist', name),
  };
};

const installedVersion = (runtime: HarnessRuntime, pkg: string): string | undefined => {
  const file = join(runtime.modulesDir, pkg, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined;
};

/** Why this runtime's packages cannot be used yet (not installed), or undefined when they can. */
export const runtimeMissing = (repoRoot: string, runtime: HarnessRuntime): string | undefined => {
  if (installedVersion(runtime, '@grafana/runtime') && installedVersion(runtime, 'react')) {
    return undefined;
  }
  const folder = relative(repoRoot, runtime.packageDir) || '.';
  return `the ${runtime.name} runtime is not installed (npm ci --prefix ${folder})`;
};

export const runtimeVersions = (runtime: HarnessRuntime): RuntimeVersions => {
  const grafana = installedVersion(runtime, '@grafana/runtime');
  const react = installedVersion(runtime, 'react');
  if (!grafana || !react) {
    throw new Error(`@grafana/runtime or react is not installed in ${runtime.modulesDir}`);
  }
  return { grafana, react };
};

const isRuntimeName = (name: string): name is RuntimeName => (RUNTIME_NAMES as readonly string[]).includes(name);

/**
 * `HARNESS_RUNTIME`: one runtime name, several separated by commas, or `all`; unset
 * means `fallback`. An unknown name is an error that lists the known ones.
 */
export const parseRuntimeNames = (value: string | undefined, fallback: readonly RuntimeName[]): RuntimeName[] => {
  if (!value?.trim()) {
    return [...fallback];
  }
  if (value.trim() === 'all') {
    return [...RUNTIME_NAMES];
  }
  const names = value.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !isRuntimeName(n));
  if (unknown.length) {
    throw new Error(`unknown harness runtime ${unknown.join(', ')}: use ${RUNTIME_NAMES.join(', ')} or all`);
  }
  return [...new Set(names as RuntimeName[])];
};
