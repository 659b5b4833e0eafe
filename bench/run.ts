/**
 * Runs every `bench/*.bench.ts` module (each exports `run(): Promise<string>`, its
 * Markdown section) and writes bench/RESULTS.md with the date and the machine.
 * Usage from the repository root: `npx tsx bench/run.ts [name-filter]`.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { SERVER_URL as databaseUrl } from './support';

const here = dirname(fileURLToPath(import.meta.url));

async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0].v;
  } catch (err) {
    return `unreachable (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  const modules = readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
    .sort();
  const sections: string[] = [];
  for (const file of modules) {
    console.log(`running ${file}…`);
    const started = Date.now();
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<string> };
    try {
      sections.push((await mod.run()).trim());
    } catch (err) {
      sections.push(`## ${file}\n\nFailed: ${(err as Error).stack ?? err}`);
      process.exitCode = 1;
    }
    console.log(`${file} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const cpu = cpus();
  const header = [
    '# Benchmark results',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${platform()} ${release()}`,
    `- Node: ${process.version}`,
    `- PostgreSQL: ${await postgresVersion()} (${new URL(databaseUrl).host})`,
    '',
    'Written by `npm run bench` (bench/run.ts); each section comes from one `bench/*.bench.ts`.',
  ].join('\n');
  writeFileSync(join(here, 'RESULTS.md'), `${header}\n\n${sections.join('\n\n')}\n`);
  console.log(`wrote ${join(here, 'RESULTS.md')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
