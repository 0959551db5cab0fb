import { existsSync, statSync } from 'node:fs';
import { UsageError } from '@mtl-split/cli';
import { compressionAvailable } from '@mtl-split/codec';
import { readManifest, type Manifest } from '@mtl-split/model/infer';
import { EDGE_ONLY, SPLIT_CHOICES } from '@mtl-split/stats';
import type { EdgeCliOptions } from './options.js';
import { answerProblems } from './answers/check.js';

/**
 * Checks what the command line names before anything loads (usage errors, exit 2): the --model folder,
 * the --split point against the bundle's manifest, a --compress stage that cannot run here, and that
 * --cloud is given unless the run is edge-only. A manifest that cannot be read is left to the run.
 */
export function preflight(o: EdgeCliOptions): void {
  if (!existsSync(o.model) || !statSync(o.model).isDirectory()) throw new UsageError(`invalid --model '${o.model}': no such folder`);
  if (!compressionAvailable(o.compress)) throw new UsageError(`--compress ${o.compress} cannot run on this machine`);
  if (!o.cloud && o.split !== EDGE_ONLY) throw new UsageError('--cloud HOST:PORT is required unless --split edge-only');
  const manifest = manifestOf(o.model);
  if (!manifest) return;
  const problems = answerProblems(manifest.tasks, o);
  const points = manifest.splitPoints.map((p) => p.name);
  const valid = [...points, ...SPLIT_CHOICES];
  if (points.length && !valid.includes(o.split)) problems.unshift(`invalid --split '${o.split}': valid are ${valid.join(', ')}`);
  if (problems.length) throw new UsageError(problems.join('; '));
}

function manifestOf(dir: string): Manifest | undefined {
  try {
    // the bundle reader: a FIFO, a link out of the folder or an oversized manifest.json is refused, never read
    return readManifest(dir);
  } catch {
    return undefined;
  }
}
