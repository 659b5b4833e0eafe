/**
 * `npm run package`: the built plugin (dist/, from `npm run build`) as the archive Grafana
 * installs with `grafana cli --pluginUrl <zip> plugins install <id>`: one top folder named
 * after the plugin id holding dist/'s files, named `<id>-<version>.zip`, with `.md5` (what
 * Grafana's own plugin packaging publishes) and `.sha256` checksum files beside it, each in
 * md5sum / sha256sum format so `sha256sum -c` checks it.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** What Grafana needs at the top of the plugin folder; dist/ must hold each. */
export const REQUIRED_FILES = ['module.js', 'plugin.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'img/logo.svg'];

export interface PackageResult {
  zip: string;
  md5: string;
  sha256: string;
  /** Paths inside the archive, e.g. `tsgw-timescaledb-datasource/module.js`. */
  entries: string[];
}

interface PluginJson {
  id: string;
  info: { version: string };
  dependencies: { grafanaDependency?: string };
}

const listFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();

/** Refuses a dist/ Grafana would reject or that does not match package.json. */
function checkDist(distDir: string, version: string): PluginJson {
  if (!existsSync(join(distDir, 'plugin.json'))) {
    throw new Error(`${distDir} has no plugin.json: run \`npm run build\` first`);
  }
  const missing = REQUIRED_FILES.filter((f) => !existsSync(join(distDir, f)));
  if (missing.length) {
    throw new Error(`${distDir} lacks ${missing.join(', ')}: run \`npm run build\``);
  }
  const plugin = JSON.parse(readFileSync(join(distDir, 'plugin.json'), 'utf8')) as PluginJson;
  if (plugin.info?.version !== version) {
    throw new Error(`dist/plugin.json has version "${plugin.info?.version}", package.json ${version}: rebuild`);
  }
  if (!plugin.dependencies?.grafanaDependency) {
    throw new Error('plugin.json sets no dependencies.grafanaDependency');
  }
  return plugin;
}

const digest = (algorithm: string, file: string) => createHash(algorithm).update(readFileSync(file)).digest('hex');

export async function packagePlugin(
  distDir = join(REPO_ROOT, 'dist'),
  outDir = join(REPO_ROOT, 'artifacts')
): Promise<PackageResult> {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const plugin = checkDist(distDir, version);
  mkdirSync(outDir, { recursive: true });
  const zipPath = join(outDir, `${plugin.id}-${version}.zip`);

  const zip = new yazl.ZipFile();
  const entries: string[] = [];
  for (const file of listFiles(distDir)) {
    const name = `${plugin.id}/${relative(distDir, file).split('\\').join('/')}`;
    zip.addFile(file, name, { mtime: statSync(file).mtime });
    entries.push(name);
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipPath));

  const sums = { md5: `${zipPath}.md5`, sha256: `${zipPath}.sha256` };
  for (const [algorithm, path] of Object.entries(sums)) {
    writeFileSync(path, `${digest(algorithm, zipPath)}  ${basename(zipPath)}\n`);
  }
  return { zip: zipPath, ...sums, entries };
}

// `tsx scripts/package-plugin.mts [--out <dir>] [--dist <dir>]`
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? resolve(process.argv[i + 1]) : undefined;
  };
  packagePlugin(arg('--dist'), arg('--out')).then(
    (r) =>
      console.log(
        `${relative(process.cwd(), r.zip)} (${r.entries.length} files)\n${relative(process.cwd(), r.sha256)}\n${relative(process.cwd(), r.md5)}`
      ),
    (err: Error) => {
      console.error(`Packaging failed: ${err.message}`);
      process.exit(1);
    }
  );
}
