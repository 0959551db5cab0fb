import ort from 'onnxruntime-node';
import { OnnxError } from './errors.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** A dense float32 tensor: row-major data and its shape (batch first). */
export interface TensorData {
  data: Float32Array;
  shape: number[];
}

export interface SessionOptions {
  /** Threads of one operator (ONNX Runtime intra-op threads); default 1. */
  threads?: number;
  /** For error messages, e.g. "models/x cloud half at block2". */
  label?: string;
}

/**
 * Execution providers, in order of preference: `cpu` unless the env variable MTL_SPLIT_ORT_PROVIDERS
 * names others (e.g. `cuda,cpu` after installing onnxruntime-node's CUDA add-on). Throws OnnxError
 * naming the providers this build knows for an unknown one.
 */
export function executionProviders(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.MTL_SPLIT_ORT_PROVIDERS?.trim();
  if (!raw) return ['cpu'];
  const known = ort.listSupportedBackends().map((b) => b.name);
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!known.includes(n))
      throw new OnnxError(`MTL_SPLIT_ORT_PROVIDERS: unknown execution provider '${n}': valid are ${known.join(', ')}`);
  }
  return names;
}

/** The ONNX Runtime build in use and its providers, e.g. "onnxruntime-node 1.30.0 (cpu)". */
export function ortVersion(): string {
  return `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} (${executionProviders().join(', ')})`;
}

/** One ONNX model loaded in ONNX Runtime (CPU execution provider unless MTL_SPLIT_ORT_PROVIDERS says otherwise). */
export class OrtSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly label: string,
    readonly threads: number,
  ) {}

  static async create(model: Uint8Array, o: SessionOptions = {}): Promise<OrtSession> {
    const threads = o.threads ?? 1;
    const label = o.label ?? 'ONNX model';
    try {
      const s = await ort.InferenceSession.create(model, {
        executionProviders: executionProviders(),
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
      });
      return new OrtSession(s, label, threads);
    } catch (err) {
      throw new OnnxError(`${label}: ONNX Runtime cannot load it: ${firstLine(err)}`);
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs the model; returns the requested outputs (default: all) as float32 tensors. */
  async run(feeds: Record<string, TensorData>, outputs?: readonly string[]): Promise<Record<string, TensorData>> {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', t.data, t.shape);
    let res: ort.InferenceSession.ReturnType;
    try {
      res = outputs ? await this.session.run(inputs, [...outputs]) : await this.session.run(inputs);
    } catch (err) {
      throw new OnnxError(`${this.label}: ONNX Runtime run failed: ${firstLine(err)}`);
    }
    const out: Record<string, TensorData> = {};
    for (const [name, t] of Object.entries(res)) {
      if (t.type !== 'float32') throw new OnnxError(`${this.label}: output '${name}' is ${t.type}, expected float32`);
      out[name] = { data: t.data as Float32Array, shape: t.dims.map(Number) };
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function firstLine(err: unknown): string {
  return errorMessage(err);
}
