import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** bin/launch.mjs: runs a TypeScript program of the repository from its precompiled bundle (or under tsx). */
export const LAUNCH = fileURLToPath(new URL('../bin/launch.mjs', import.meta.url));

/** The repository root (entries are relative to it). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** tsx's loader, for `node --import` (resolved when asked: the programs import this file and need not pay it at start). */
const tsxEsm = (): string => pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm', { paths: [ROOT] })).href;

/**
 * The command that starts the program `entry` (a path relative to the repository root, or absolute) as
 * `npm run cloud` does: one node process running its precompiled bundle (built on first use and whenever a
 * source is newer), so a start pays no TypeScript transpile (measured: 0.9 s of CPU against 2.1 s under
 * the tsx command, for `npm run import` of a missing file). `MTL_SPLIT_LAUNCH=tsx` runs it under tsx instead.
 */
export function programCommand(entry: string, args: readonly string[]): { command: string; args: string[] } {
  const file = entry.startsWith('/') ? entry : `${ROOT}${entry}`;
  // the launcher answers a lone --version itself, with its name argument: the program's own answer is wanted here
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V'))
    return { command: process.execPath, args: ['--import', tsxEsm(), file, ...args] };
  const name = file
    .slice(ROOT.length)
    .replace(/\.[cm]?ts$/, '')
    .replace(/[^A-Za-z0-9]+/g, '-');
  return { command: process.execPath, args: [LAUNCH, name, file, ...args] };
}
