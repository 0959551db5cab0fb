/**
 * The emulated devices' costs kept across processes: each runner's steady-state time on this machine, by
 * network, engine, half, split point and batch size, in one JSON file. The first process that needs a cost
 * measures it; every later run reads the same figure, so an emulated device's compute for the same network
 * is the same in every run (two runs an hour apart on a shared machine measured the same half 30% apart:
 * the load of the moment, not the device).
 *
 * File: MTL_SPLIT_DEVICE_COSTS, else $XDG_CACHE_HOME/mtl-split/device-costs.json (~/.cache when unset);
 * MTL_SPLIT_DEVICE_COSTS=off keeps costs per process only. Delete the file to measure again (e.g. after a
 * change of hardware: entries are also keyed by the CPU model and count).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The costs file, or null when persistence is off. */
export function costsFile(): string | null {
  const env = process.env.MTL_SPLIT_DEVICE_COSTS;
  if (env === 'off') return null;
  if (env) return path.resolve(env);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'mtl-split', 'device-costs.json');
}

/** What identifies this machine's speed in a key. */
export function machineKey(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'cpu'} x${cpus.length}`;
}

function readAll(file: string): Record<string, number> {
  try {
    const raw: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[k] = v;
    return out;
  } catch {
    return {}; // none yet, or unreadable: measured again
  }
}

/** The stored cost of `key` (ms), if any. */
export function storedCost(key: string): number | undefined {
  const file = costsFile();
  return file ? readAll(file)[key] : undefined;
}

/** Entries kept at most (the oldest go first: tests' temporary bundles each add a few). */
export const MAX_COSTS = 5000;

/** Stores a cost: read, merge, write a sibling and rename (a concurrent writer loses at most its own entry). */
export function storeCost(key: string, ms: number): void {
  const file = costsFile();
  if (!file) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const entries = Object.entries({ ...readAll(file), [key]: ms });
    const all = Object.fromEntries(entries.slice(Math.max(0, entries.length - MAX_COSTS)));
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(all, null, 1)}\n`);
    fs.renameSync(tmp, file);
  } catch {
    // a read-only home: the cost stays per process
  }
}
