/**
 * Builds what the harness serves, only when its sources are newer than the output:
 * the plugin (`npm run build` → dist/) and the host page (webpack → e2e/harness/dist/).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webpack from 'webpack';

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
  return true;
};

/** Bundles the host page when its sources, its webpack config or the installed packages changed. */
export const buildHostIfStale = async (repoRoot: string, log: (line: string) => void = () => {}): Promise<boolean> => {
  const harness = join(repoRoot, 'e2e', 'harness');
  const inputs = [
    join(harness, 'page'),
    join(harness, 'testIds.ts'),
    join(harness, 'webpack.config.ts'),
    join(repoRoot, 'package-lock.json'),
  ];
  const config = hostWebpackConfig(repoRoot);
  const marker = join(harness, 'dist', 'build-mode.txt');
  const builtMode = existsSync(marker) ? readFileSync(marker, 'utf8') : undefined;
  if (!isStale(join(harness, 'dist', 'index.html'), inputs) && builtMode === config.mode) {
    return false;
  }
  log(`bundling the host page (webpack, ${config.mode})…`);
  const compiler = webpack(config);
  await new Promise<void>((ok, fail) =>
    compiler.run((err, stats) => {
      compiler.close(() => undefined);
      if (err) {
        return fail(err);
      }
      if (stats?.hasErrors()) {
        return fail(new Error(stats.toString({ all: false, errors: true, errorDetails: true })));
      }
      writeFileSync(marker, String(config.mode));
      ok();
    })
  );
  return true;
};
