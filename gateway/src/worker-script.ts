import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker script `<name>.js` next to `base` (a module's `import.meta.url`): in the
 * build, dist/, where the calling code is bundled into main.js beside the worker's own entry
 * (tsup.config.ts); in the sources, `<name>.ts` (tsx: tests, `npm run dev`). Node 20 does not
 * apply the parent's `--import tsx` hooks inside a worker, so a source worker starts from a
 * one-line module that registers tsx first, then imports the entry.
 */
export function startWorkerScript(base: string, name: string, options: WorkerOptions = {}): Worker {
  const built = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(built))) {
    return new Worker(built, options);
  }
  const source = new URL(`./${name}.ts`, base);
  if (!existsSync(fileURLToPath(source))) {
    throw new Error(`The worker script ${name}.js is missing next to ${fileURLToPath(base)}`);
  }
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(source.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), options);
}
