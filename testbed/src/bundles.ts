import fs from 'node:fs';
import path from 'node:path';
import { manifestSchema } from '@mtl-split/model';
import { TestbedError } from './errors.js';
import { displayPath } from './paths.js';

export interface BundleInfo {
  dir: string;
  id: string;
  tasks: string[];
  /** Split point names in network order, with payload bytes (float32) per sample. */
  splits: Array<{ name: string; bytesPerSample: number }>;
  /** The points `edge --split all` sweeps (all of our bundles'; those marked with import --points). */
  candidates: string[];
}

/** Read a bundle's manifest (no weights, no tfjs): its id, tasks and split points. One-line errors. */
export function readBundleInfo(dir: string, field: string): BundleInfo {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(dir)) throw new TestbedError(`${field}: model bundle ${displayPath(dir)} not found`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TestbedError(`${field}: model bundle ${displayPath(dir)}: cannot read manifest.json (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const m = manifestSchema.safeParse(raw);
  if (!m.success) {
    const i = m.error.issues[0]!;
    throw new TestbedError(`${field}: model bundle ${displayPath(dir)}: invalid manifest.json at ${i.path.join('.')}: ${i.message}`);
  }
  return {
    dir,
    id: m.data.id,
    tasks: m.data.tasks.map((t) => t.name),
    splits: m.data.splitPoints.map((s) => ({ name: s.name, bytesPerSample: s.bytesPerSample })),
    candidates: m.data.splitPoints.filter((s) => s.candidate !== false).map((s) => s.name),
  };
}
