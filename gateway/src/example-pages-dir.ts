import { fileURLToPath } from 'node:url';

/**
 * gateway/pages/, the example pages' files. This module sits one level below the package root
 * both as a source (src/) and bundled into dist/main.js, so one relative URL finds the folder.
 */
export const EXAMPLE_PAGES_DIR = fileURLToPath(new URL('../pages/', import.meta.url));
