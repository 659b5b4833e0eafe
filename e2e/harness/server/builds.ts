/**
 * Builds what the harness serves, only when its sources are newer than the output:
 * the plugin (`npm run build` → dist/, one build for every runtime) and the host page
 * of each runtime (webpack → e2e/harness/dist/<runtime>/).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import webpack, { type Stats } from 'webpack';

import { runtimeVersions, type HarnessRuntime } from '../runtimes';
import { hostWebpackConfig } from '../webpack.config';

const newestMtime = (paths: string[]): number => {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) {
      continue;
    }
    const stats = statSync(path);
    if (stats.isFile()) {
      newest = Math.max(newest, stats.mtimeMs);
      continue;
    }
    for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) {
        newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
      }
    }
  }
  return newest;
};

const isStale = (output: string, inputs: string[]): boolean =>
  !existsSync(output) || statSync(output).mtimeMs < newestMtime(inputs);

const run = (command: string, args: string[], cwd: string): Promise<void> =>
  new Promise((ok, fail) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0 ? ok() : fail(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output}`))
    );
  });

/** Builds dist/ with the plugin's own webpack config when src/ (or the contract it imports) changed. */
export const buildPluginIfStale = async (
  repoRoot: string,
  log: (line: string) => void = () => {}
): Promise<boolean> => {
  const inputs = [
    join(repoRoot, 'src'),
    join(repoRoot, 'gateway', 'src', 'contract'),
    join(repoRoot, '.config', 'webpack'),
  ];
  if (!isStale(join(repoRoot, 'dist', 'module.js'), inputs) && existsSync(join(repoRoot, 'dist', 'plugin.json'))) {
    return false;
  }
  log('building the plugin (npm run build)…');
  await run('npm', ['run', 'build', '--silent'], repoRoot);
  // webpack leaves an unchanged module.js untouched: after a change that does not alter the
  // bundle (a README, a test) its old mtime would make every later start build again.
  const now = new Date();
  utimesSync(join(repoRoot, 'dist', 'module.js'), now, now);
  return true;
};

/** The package a bundled file belongs to, e.g. `react-dom` or `@grafana/ui`. */
const packageOf = (file: string): string => {
  const [scopeOrName, name] = file.split(sep);
  return scopeOrName.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName;
};

/** Style and CSS loaders inject their own runtime helpers; they carry no Grafana or React code. */
const LOADER_RUNTIMES = new Set(['style-loader', 'css-loader']);

/**
 * Every package the page bundles must come from the runtime's own folder: one module
 * resolved from the root's node_modules (e.g. a second React, or @grafana/ui 13.1 under
 * React 19) would make the page run a mix of the two runtimes and prove nothing.
 */
const packagesFromOutside = (stats: Stats, repoRoot: string, runtime: HarnessRuntime): string[] => {
  const rootModules = join(repoRoot, 'node_modules') + sep;
  if (runtime.modulesDir + sep === rootModules) {
    return [];
  }
  const outside = new Set<string>();
  for (const module of stats.compilation.modules) {
    const file = (module as { resource?: string }).resource?.split('?')[0];
    if (file?.startsWith(rootModules)) {
      const pkg = packageOf(relative(rootModules, file));
      if (!LOADER_RUNTIMES.has(pkg)) {
        outside.add(pkg);
      }
    }
  }
  return [...outside].sort();
};

const compile = (config: webpack.Configuration): Promise<Stats> =>
  new Promise((ok, fail) => {
    const compiler = webpack(config);
    compiler.run((err, stats) => {
      compiler.close(() => undefined);
      if (err || !stats) {
        return fail(err ?? new Error('webpack gave no result'));
      }
      if (stats.hasErrors()) {
        return fail(new Error(stats.toString({ all: false, errors: true, errorDetails: true })));
      }
      ok(stats);
    });
  });

/**
 * Bundles a runtime's host page when its sources, its webpack config or the runtime's
 * installed packages changed.
 */
export const buildHostIfStale = async (
  repoRoot: string,
  runtime: HarnessRuntime,
  log: (line: string) => void = () => {}
): Promise<boolean> => {
  const harness = join(repoRoot, 'e2e', 'harness');
  const inputs = [
    join(harness, 'page'),
    join(harness, 'testIds.ts'),
    join(harness, 'runtimes.ts'),
    join(harness, 'webpack.config.ts'),
    runtime.lockFile,
  ];
  const versions = runtimeVersions(runtime);
  const config = hostWebpackConfig(repoRoot, runtime, versions);
  const marker = join(runtime.hostDir, 'build-mode.txt');
  const builtMode = existsSync(marker) ? readFileSync(marker, 'utf8') : undefined;
  // The marker, not index.html: webpack does not rewrite an output whose content is unchanged.
  if (!isStale(marker, inputs) && existsSync(join(runtime.hostDir, 'index.html')) && builtMode === config.mode) {
    return false;
  }
  log(
    `bundling the host page for ${runtime.name} (Grafana ${versions.grafana}, React ${versions.react}; webpack, ${config.mode})…`
  );
  const stats = await compile(config);
  const outside = packagesFromOutside(stats, repoRoot, runtime);
  if (outside.length) {
    throw new Error(
      `the ${runtime.name} host page bundled packages from the root's node_modules instead of ${runtime.modulesDir}: ` +
        `${outside.join(', ')} (add them to ${relative(repoRoot, join(runtime.packageDir, 'package.json'))})`
    );
  }
  writeFileSync(marker, String(config.mode));
  return true;
};
