import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '@mtl-split/cli';
import { displayPath } from './paths.js';

/**
 * Checks `--out` and creates its missing parent folders: it must not exist, and its nearest existing ancestor
 * must be a writable folder. Folders are made one at a time (Node's recursive mkdir never returns under /proc).
 * Returns the absolute path. Errors are usage errors naming --out and the folder at fault.
 */
export function prepareOutDir(dir: string): string {
  const abs = path.resolve(dir);
  const bad = (why: string): UsageError => new UsageError(`invalid --out '${dir}': ${why}`);
  if (fs.existsSync(abs)) throw bad('it already exists (choose another folder)');
  const missing: string[] = [];
  let at = path.dirname(abs);
  while (!fs.existsSync(at)) {
    missing.unshift(at);
    at = path.dirname(at);
  }
  if (!fs.statSync(at).isDirectory()) throw bad(`${displayPath(at)} is a file, not a folder`);
  try {
    fs.accessSync(at, fs.constants.W_OK);
  } catch {
    throw bad(`folder ${displayPath(at)} is not writable`);
  }
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder);
    } catch (e) {
      throw bad(`cannot create folder ${displayPath(folder)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return abs;
}
