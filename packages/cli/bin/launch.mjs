// Starts a TypeScript program of the repository: `node packages/cli/bin/launch.mjs <name> <entry.ts> [args...]`
// (the root package.json's `cloud` and `edge` scripts). `<name> --version` (or -V) as the only argument is
// answered here, in plain JavaScript, with the line commander would print (`<name> <version>`), before tsx or
// the program is loaded. Anything else registers tsx (what `node --import tsx` does) and runs the entry in this
// process, with process.argv as if it had been started directly.
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
await import('tsx');
await import(pathToFileURL(file).href);
