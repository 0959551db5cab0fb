import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './kernels/index.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** Backends this project can run on, best first. */
export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface RuntimeOptions {
  /**
   * Force one backend. Defaults to the `MTL_SPLIT_BACKEND` environment variable, else automatic:
   * `tensorflow` (tfjs-node) when it loads, else `wasm`.
   */
  backend?: BackendName | string;
  /** Print the active backend to stderr (default false; programs print it themselves). */
  log?: boolean;
}

export interface RuntimeInfo {
  /** Name of the active tfjs backend: `tensorflow`, `wasm` or `cpu`. */
  backend: string;
  /** True when the active backend is wasm, with its training kernels (composites, fast paths) registered. */
  wasmTrainingKernels: boolean;
}

/** Thrown when a requested backend is unknown or cannot start. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

let active: Promise<RuntimeInfo> | undefined;
let activeRequest: string | undefined;

function isBackendName(s: string): s is BackendName {
  return (BACKENDS as readonly string[]).includes(s);
}

const NODE_PACKAGE = '@tensorflow/tfjs-node';

/** Loads tfjs-node; returns why it did not load, or undefined when it did. */
async function tryLoadNode(): Promise<string | undefined> {
  try {
    // Optional dependency: absent, or present without its native library, on machines that could not download it.
    await import(/* @vite-ignore */ NODE_PACKAGE);
    return undefined;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const first = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && first.includes(NODE_PACKAGE)) {
      return `${NODE_PACKAGE} is not installed (optional dependency; its install downloads libtensorflow)`;
    }
    return `${NODE_PACKAGE} is installed but did not load: ${first}`;
  }
}

/**
 * The cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js ..." on its first
 * tensor. This runtime already chooses tfjs-node when it loads and documents it, so the banner is
 * noise. tfjs has no environment flag for it (flags come from the URL in browsers only); its
 * public switch, the PROD flag, silences every tfjs warning. Raise PROD only around one throwaway
 * write to the cpu backend, which spends the banner, then restore it.
 */
function spendCpuBanner(): void {
  const env = tf.env();
  const prod = env.getBool('PROD');
  try {
    const cpu = tf.findBackend('cpu');
    if (!cpu) return;
    env.set('PROD', true);
    const id = cpu.write(new Float32Array(1), [1], 'float32');
    cpu.disposeData(id, true);
  } catch {
    // Purely cosmetic; never fail initialisation over it.
  } finally {
    env.set('PROD', prod);
  }
}

async function start(requested: BackendName | undefined): Promise<RuntimeInfo> {
  spendCpuBanner();
  // Registered whatever the backend, so code that later switches to wasm with tf.setBackend can train.
  registerWasmTrainingKernels();
  const order: BackendName[] = requested ? [requested] : ['tensorflow', 'wasm'];
  const failures: string[] = [];
  for (const name of order) {
    if (name === 'tensorflow') {
      const why = await tryLoadNode();
      if (why !== undefined) {
        failures.push(requested ? why : `tensorflow: ${why}`);
        continue;
      }
    }
    let ok = false;
    try {
      ok = await tf.setBackend(name);
      await tf.ready();
    } catch (err) {
      failures.push(`${name}: ${errorMessage(err)}`);
      continue;
    }
    if (ok && tf.getBackend() === name) {
      return { backend: name, wasmTrainingKernels: name === 'wasm' };
    }
    failures.push(`${name}: backend did not initialise`);
  }
  const others = BACKENDS.filter((b) => b !== requested).join(' or ');
  const what = requested
    ? `backend '${requested}' cannot start (choose ${others}, e.g. MTL_SPLIT_BACKEND=wasm)`
    : 'no TensorFlow.js backend could start';
  throw new RuntimeError(`${what}: ${failures.join('; ')}`);
}

/**
 * Initialise TensorFlow.js once per process and report the active backend.
 * Later calls return the same result; asking for a different backend after the first call is an error.
 */
export function initRuntime(options: RuntimeOptions = {}): Promise<RuntimeInfo> {
  const fromEnv = process.env.MTL_SPLIT_BACKEND?.trim() || undefined;
  const requested = options.backend ?? fromEnv;
  if (requested !== undefined && !isBackendName(requested)) {
    const source = options.backend !== undefined ? 'backend' : 'MTL_SPLIT_BACKEND';
    return Promise.reject(new RuntimeError(`unknown ${source} '${requested}': valid backends are ${BACKENDS.join(', ')}`));
  }
  if (active) {
    if (requested !== undefined && requested !== activeRequest) {
      return active.then((info) => {
        if (info.backend !== requested) {
          throw new RuntimeError(`runtime already initialised with backend '${info.backend}'; cannot switch to '${requested}'`);
        }
        return info;
      });
    }
    return active;
  }
  activeRequest = requested;
  active = start(requested as BackendName | undefined).then((info) => {
    if (options.log) process.stderr.write(`[mtl-split] TensorFlow.js backend: ${info.backend}\n`);
    return info;
  });
  active.catch(() => {
    active = undefined;
    activeRequest = undefined;
  });
  return active;
}
