// The project's version (the root package.json's), in plain JavaScript so that bin/launch.mjs can print it
// without tsx; program.ts re-exports it as VERSION.
import { readFileSync } from 'node:fs';

export const VERSION = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
