/**
 * initRuntime. Each test imports a fresh copy of the runtime module (vi.resetModules), so each one
 * starts uninitialised; tfjs itself (an external dependency) stays one instance for the file.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';

type Runtime = typeof import('../src/index.js');

async function fresh(): Promise<Runtime> {
  vi.resetModules();
  return import('../src/index.js');
}

function nodeBackendInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

const savedEnv = process.env.MTL_SPLIT_BACKEND;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.MTL_SPLIT_BACKEND;
  else process.env.MTL_SPLIT_BACKEND = savedEnv;
  vi.restoreAllMocks();
});

describe('initRuntime', () => {
  // First in the file on purpose: the cpu banner can only be printed once per process.
  it('keeps the cpu backend quiet ("Hi, looks like you are running TensorFlow.js in Node.js" is not printed)', async () => {
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    const { initRuntime, tf } = await fresh();
    const info = await initRuntime({ backend: 'cpu' });
    expect(info.backend).toBe('cpu');
    tf.tensor([1, 2, 3]).square().dataSync();
    const printed = [...warn.mock.calls, ...log.mock.calls].flat().join('\n');
    expect(printed).not.toMatch(/looks like you are running TensorFlow\.js in Node\.js/);
    expect(tf.env().getBool('PROD')).toBe(false); // other tfjs warnings stay on
  });

  it('resolves to an available backend by default, the one tfjs now uses', async () => {
    delete process.env.MTL_SPLIT_BACKEND;
    const { initRuntime, tf, BACKENDS } = await fresh();
    const info = await initRuntime();
    expect(BACKENDS).toContain(info.backend);
    expect(info.backend).toBe(tf.getBackend());
    expect(info.backend).toBe(nodeBackendInstalled() ? 'tensorflow' : 'wasm');
    expect(info.wasmTrainingKernels).toBe(info.backend === 'wasm');
    // later calls return the same answer
    expect(await initRuntime()).toEqual(info);
  });

  it('rejects an unknown backend name with a RuntimeError listing the valid backends', async () => {
    const { initRuntime, RuntimeError } = await fresh();
    const err = await initRuntime({ backend: 'webgpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).name).toBe('RuntimeError');
    expect((err as Error).message).toBe("unknown backend 'webgpu': valid backends are tensorflow, wasm, cpu");
  });

  it('rejects an unknown MTL_SPLIT_BACKEND value, naming the variable', async () => {
    process.env.MTL_SPLIT_BACKEND = 'gpu';
    const { initRuntime, RuntimeError } = await fresh();
    const err = await initRuntime().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toBe("unknown MTL_SPLIT_BACKEND 'gpu': valid backends are tensorflow, wasm, cpu");
  });

  it('honours MTL_SPLIT_BACKEND', async () => {
    process.env.MTL_SPLIT_BACKEND = 'cpu';
    const { initRuntime, tf } = await fresh();
    expect((await initRuntime()).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it.skipIf(nodeBackendInstalled())('rejects tensorflow clearly when @tensorflow/tfjs-node is not installed', async () => {
    const { initRuntime, RuntimeError } = await fresh();
    const err = await initRuntime({ backend: 'tensorflow' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^backend 'tensorflow' cannot start/);
    expect(msg).toContain('@tensorflow/tfjs-node is not installed');
    expect(msg).toContain('wasm or cpu');
    // a failed start leaves the runtime free to start another backend
    expect((await initRuntime({ backend: 'wasm' })).backend).toBe('wasm');
  });

  it('refuses to switch to another backend after initialisation', async () => {
    const { initRuntime, RuntimeError } = await fresh();
    await initRuntime({ backend: 'wasm' });
    const err = await initRuntime({ backend: 'cpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toContain("already initialised with backend 'wasm'");
    expect((await initRuntime({ backend: 'wasm' })).backend).toBe('wasm');
  });
});
