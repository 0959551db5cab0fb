import fs from 'node:fs';
import { readManifest, type Manifest } from '@mtl-split/model/infer';
import { TestbedError } from './errors.js';
import { displayPath } from './paths.js';

export interface BundleInfo {
  dir: string;
  id: string;
  tasks: string[];
  /** Each task's kind (absent: classification), for checking answer settings. */
  taskKinds: Array<{ name: string; kind?: NonNullable<Manifest['tasks'][number]['kind']> }>;
  /** Split point names in network order, with payload bytes (float32) per sample. */
  splits: Array<{ name: string; bytesPerSample: number }>;
  /** The points `edge --split all` sweeps (all of our bundles'; those marked with import --points). */
  candidates: string[];
}

/** Read a bundle's manifest (no weights, no tfjs): its id, tasks and split points. One-line errors. */
export function readBundleInfo(dir: string, field: string): BundleInfo {
  if (!fs.existsSync(dir)) throw new TestbedError(`${field}: model bundle ${displayPath(dir)} not found`);
  let m: { data: Manifest };
  try {
    // the bundle reader: regular files inside the folder only, bounded, errors that never quote the file
    m = { data: readManifest(dir) };
  } catch (e) {
    throw new TestbedError(`${field}: model bundle ${displayPath(dir)}: ${(e as Error).message.replace(/^bundle '[^']*':\s*/, '')}`);
  }
  return {
    dir,
    id: m.data.id,
    tasks: m.data.tasks.map((t) => t.name),
    taskKinds: m.data.tasks.map((t) => ({ name: t.name, ...(t.kind ? { kind: t.kind } : {}) })),
    splits: m.data.splitPoints.map((s) => ({ name: s.name, bytesPerSample: s.bytesPerSample })),
    candidates: m.data.splitPoints.filter((s) => s.candidate !== false).map((s) => s.name),
  };
}
