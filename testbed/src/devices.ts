import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MAX_SLOWDOWN } from '@mtl-split/model';
import { TestbedError } from './errors.js';
import { listJsonNames, readJsonFile } from './json-file.js';
import { DEVICES_DIR, displayPath } from './paths.js';

/**
 * A device profile: how much longer a device computes than this machine. The testbed emulates it by
 * stretching each run of a half to `slowdown` x that half's cost on this machine (`withDevice` of
 * @mtl-split/model): the cost is the half's warm steady-state time (median of back-to-back runs after
 * warm-up, `steadyTime`), measured once per network, half, split point and batch size and kept in the
 * costs file (MTL_SPLIT_DEVICE_COSTS, default ~/.cache/mtl-split/device-costs.json), so a device's compute
 * for the same network is the same in every run and process; `plan` predicts with the same median x factor.
 * One scale factor per device, for every operator.
 */
export const DeviceSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string().min(1),
    /** Device compute time / this machine's compute time (>= 1: the emulation can only slow down). */
    slowdown: z.number().min(1, 'at least 1 (this machine): the emulation can only make compute slower').max(MAX_SLOWDOWN),
    /** The benchmark and network (or workload) the factor comes from. */
    benchmark: z.string().min(10, 'name the benchmark and network the factor comes from'),
    /** Where the figures come from, and how precise they are. */
    source: z.string().min(10, 'cite where the figures come from'),
  })
  .strict();
export type Device = z.infer<typeof DeviceSchema>;

/** This machine: what an app runs as without a device (factor 1). */
export const THIS_MACHINE: Device = {
  name: 'this-machine',
  description: 'the machine the experiment runs on, unscaled',
  slowdown: 1,
  benchmark: 'none: measured compute as it is',
  source: 'no scaling',
};

/** Load one device file; its `name` must match the file name. */
export function loadDeviceFile(file: string): Device {
  const d = readJsonFile(file, DeviceSchema, 'device');
  const base = path.basename(file, '.json');
  if (d.name !== base)
    throw new TestbedError(`device ${displayPath(file)}: field "name": "${d.name}" does not match the file name "${base}"`);
  return d;
}

/** Names of the device profiles in `dir` (file names without .json), sorted. */
export function listDevices(dir = DEVICES_DIR): string[] {
  return listJsonNames(dir);
}

/** Load a device by name from `dir` ('this-machine' is built in); an unknown name names the valid ones. */
export function loadDevice(name: string, dir = DEVICES_DIR): Device {
  if (name === THIS_MACHINE.name) return THIS_MACHINE;
  const file = path.join(dir, `${name}.json`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !fs.existsSync(file)) {
    throw new TestbedError(`unknown device "${name}" (valid: ${[THIS_MACHINE.name, ...listDevices(dir)].join(', ')})`);
  }
  return loadDeviceFile(file);
}
