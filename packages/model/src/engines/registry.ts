import path from 'node:path';
import { readManifest } from '../bundle/read.js';
import type { Manifest } from '../bundle/manifest.js';
import { ModelError } from '../errors.js';
import { checkSlowdown, withDevice } from './device.js';
import { ENGINES, type EngineName, type EngineOptions, type SplitNetwork } from './types.js';

type Opener = (dir: string, manifest: Manifest, o: EngineOptions) => Promise<SplitNetwork>;

/**
 * Engines by name, each imported when a bundle is first opened on it (as ONNX Runtime resolves its
 * backends): a program on the onnx engine never loads TensorFlow.js.
 */
const registry: Record<EngineName, () => Promise<Opener>> = {
  onnx: async () => (await import('./onnx.js')).openOnnx,
  tfjs: async () => (await import('./tfjs.js')).openTfjs,
};

export interface OpenOptions extends EngineOptions {
  /** Engine (default: onnx when the bundle has model.onnx, else tfjs). */
  runtime?: string;
  /**
   * Emulated device: every half runs this many times as long as on this machine (`withDevice`; default 1).
   */
  slowdown?: number;
}

/** The engine a bundle runs on by default: onnx when it carries model.onnx. */
export function defaultEngine(m: Manifest): EngineName {
  return m.onnx ? 'onnx' : 'tfjs';
}

export function checkEngine(name: string): EngineName {
  if (!(ENGINES as readonly string[]).includes(name)) throw new ModelError(`unknown runtime '${name}': valid are ${ENGINES.join(', ')}`);
  return name as EngineName;
}

/** Opens a bundle folder on an engine, behind the one SplitNetwork interface. */
export async function openNetwork(dir: string, o: OpenOptions = {}): Promise<SplitNetwork> {
  const manifest = readManifest(dir);
  const engine = o.runtime === undefined ? defaultEngine(manifest) : checkEngine(o.runtime);
  const slowdown = checkSlowdown(o.slowdown ?? 1);
  const open = await registry[engine]();
  const net = await open(dir, manifest, o);
  return withDevice(net, slowdown, `${path.resolve(dir)} ${manifest.createdAt}`);
}
