import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './kernels/index.js';

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
  /** Whether the wasm training kernels (composites) are registered. */
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

async function tryLoadNode(): Promise<string | undefined> {
  try {
    // Optional dependency: absent, or present without its native library, on machines that could not download it.
    const name = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ name);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
}

async function start(requested: string | undefined): Promise<RuntimeInfo> {
  if (requested !== undefined && !isBackendName(requested)) {
    throw new RuntimeError(
      `unknown backend '${requested}': valid backends are ${BACKENDS.join(', ')}`,
    );
  }
  const order: BackendName[] = requested ? [requested] : ['tensorflow', 'wasm'];
  const failures: string[] = [];
  for (const name of order) {
    if (name === 'tensorflow') {
      const why = await tryLoadNode();
      if (why !== undefined) {
        failures.push(`tensorflow: @tensorflow/tfjs-node did not load (${why})`);
        continue;
      }
    }
    if (name === 'wasm') registerWasmTrainingKernels();
    let ok = false;
    try {
      ok = await tf.setBackend(name);
      await tf.ready();
    } catch (err) {
      failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (ok && tf.getBackend() === name) {
      return { backend: name, wasmTrainingKernels: name === 'wasm' };
    }
    failures.push(`${name}: backend did not initialise`);
  }
  const what = requested ? `backend '${requested}' cannot start` : 'no TensorFlow.js backend could start';
  throw new RuntimeError(`${what}: ${failures.join('; ')}`);
}

/**
 * Initialise TensorFlow.js once per process and report the active backend.
 * Later calls return the same result; asking for a different backend after the first call is an error.
 */
export function initRuntime(options: RuntimeOptions = {}): Promise<RuntimeInfo> {
  const fromEnv = process.env.MTL_SPLIT_BACKEND?.trim() || undefined;
  const requested = options.backend ?? fromEnv;
  if (active) {
    if (requested !== undefined && requested !== activeRequest) {
      return active.then((info) => {
        if (info.backend !== requested) {
          throw new RuntimeError(
            `runtime already initialised with backend '${info.backend}'; cannot switch to '${requested}'`,
          );
        }
        return info;
      });
    }
    return active;
  }
  activeRequest = requested;
  active = start(requested).then((info) => {
    if (options.log) process.stderr.write(`[mtl-split] TensorFlow.js backend: ${info.backend}\n`);
    return info;
  });
  active.catch(() => {
    active = undefined;
    activeRequest = undefined;
  });
  return active;
}
