import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Directory of the testbed project (holds profiles/ and scenarios/). */
export const TESTBED_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Root of the monorepo: apps are run from here, and scenario paths (model bundles) resolve from here. */
export const REPO_ROOT = path.resolve(TESTBED_DIR, '..');
export const PROFILES_DIR = path.join(TESTBED_DIR, 'profiles');
export const SCENARIOS_DIR = path.join(TESTBED_DIR, 'scenarios');
export const DEVICES_DIR = path.join(TESTBED_DIR, 'devices');

/** Path as shown in messages: relative to the repo root when inside it. */
export function displayPath(p: string): string {
  const rel = path.relative(REPO_ROOT, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
