import ort from 'onnxruntime-node';
import { fromOrtTensor, toOrtTensor } from './dtypes.js';
import { OnnxError } from './errors.js';
import { withNhwcInputs } from './nhwc-inputs.js';
import { errorMessage } from '@mtl-split/cli/errors';

/**
 * A dense tensor's values as float32: row-major data and its shape (batch first). Whatever the graph's
 * element type, values cross as float32; a session casts them at the feed and back at the fetch.
 */
export interface TensorData {
  data: Float32Array;
  shape: number[];
}

export interface SessionOptions {
  /** Threads of one operator (ONNX Runtime intra-op threads); default 1. */
  threads?: number;
  /** For error messages, e.g. "models/x cloud half at block2". */
  label?: string;
  /**
   * On the CPU provider, read rank-4 NHWC inputs straight into ORT's blocked layout (nhwc-inputs.ts: the graph
   * optimized by ORT, then loaded with optimization off); default false. Where there is nothing to rewrite, the
   * model loads as it is.
   */
  nhwcInputs?: boolean;
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

const QUIET: ort.InferenceSession.RunOptions = { logSeverityLevel: 4 };

/** One ONNX model loaded in ONNX Runtime (CPU execution provider unless MTL_SPLIT_ORT_PROVIDERS says otherwise). */
export class OrtSession {
  private types: Record<string, string> | undefined;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly label: string,
    readonly threads: number,
    /** Whether its NHWC inputs are read straight into ORT's blocked layout (SessionOptions.nhwcInputs). */
    readonly nhwcInputs: boolean,
  ) {}

  static async create(model: Uint8Array, o: SessionOptions = {}): Promise<OrtSession> {
    const threads = o.threads ?? 1;
    const label = o.label ?? 'ONNX model';
    try {
      const providers = executionProviders();
      const rewritten = o.nhwcInputs && providers.join() === 'cpu' ? await withNhwcInputs(model, threads) : undefined;
      const s = await ort.InferenceSession.create(rewritten ?? model, {
        executionProviders: providers,
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: rewritten ? 'disabled' : 'all',
        logSeverityLevel: 3,
      });
      return new OrtSession(s, label, threads, rewritten !== undefined);
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

  /** Element type (ONNX Runtime's name) of each graph input, e.g. { image: 'uint8' }. */
  get inputTypes(): Readonly<Record<string, string>> {
    this.types ??= Object.fromEntries(this.session.inputMetadata.map((m) => [m.name, m.isTensor ? m.type : 'non-tensor']));
    return this.types;
  }

  /**
   * Runs the model; returns the requested outputs (default: all) as float32 tensors. Each feed is cast to
   * its graph input's element type (float16, uint8, int8, int32, int64, bool, float64: integers rounded and
   * clamped, see `toOrtTensor`), and every output back to float32.
   */
  async run(feeds: Record<string, TensorData>, outputs?: readonly string[]): Promise<Record<string, TensorData>> {
    const types = this.inputTypes;
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      inputs[name] = toOrtTensor(types[name] ?? 'float32', t.data, t.shape, `${this.label}: input '${name}'`);
    }
    let res: ort.InferenceSession.ReturnType;
    try {
      // the failure is thrown with ONNX Runtime's message: no second copy of it on stderr (severity 4: fatal only)
      res = outputs ? await this.session.run(inputs, [...outputs], QUIET) : await this.session.run(inputs, QUIET);
    } catch (err) {
      throw new OnnxError(`${this.label}: ONNX Runtime run failed: ${firstLine(err)}`);
    }
    const out: Record<string, TensorData> = {};
    for (const [name, t] of Object.entries(res)) {
      out[name] = { data: fromOrtTensor(t, `${this.label}: output '${name}'`), shape: t.dims.map(Number) };
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
