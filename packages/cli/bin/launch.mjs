// Starts a TypeScript program of the repository: `node packages/cli/bin/launch.mjs <name> <entry.ts> [args...]`
// (the root package.json's `cloud` and `edge` scripts). `<name> --version` (or -V) as the only argument is
// answered here, in plain JavaScript, with the line commander would print (`<name> <version>`), before anything
// else is loaded. Anything else runs the entry in this process, with process.argv as if it had been started
// directly: from its precompiled bundle (precompile.mjs: built on first use and whenever a source is newer), or
// under tsx (what `node --import tsx` does) when MTL_SPLIT_LAUNCH=tsx or the bundle cannot be built.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VERSION } from '../src/version.mjs';

const [name, entry, ...args] = process.argv.slice(2);
if (name === undefined || entry === undefined) {
  process.stderr.write('launch: usage: node packages/cli/bin/launch.mjs <program-name> <entry.ts> [args...]\n');
  process.exit(2);
}
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${name} ${VERSION}\n`);
  process.exit(0);
}
const file = resolve(entry);
process.argv = [process.argv[0], file, ...args];

async function bundled() {
  if (process.env.MTL_SPLIT_LAUNCH === 'tsx') return undefined;
  try {
    return await (await import('./precompile.mjs')).precompiled(name, file);
  } catch {
    return undefined; // tsx below reports what does not compile
  }
}

const url = await bundled();
if (url === undefined) await import('tsx');
await import(url ?? pathToFileURL(file).href);
