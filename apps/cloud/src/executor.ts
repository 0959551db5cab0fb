import {
  outputsAndProbabilities,
  zeroSample,
  type HeadsRunner,
  type InputSpec,
  type SplitNetwork,
  type TensorData,
} from '@mtl-split/model/infer';
import type { ExecutorOutputs, InputDescription, ModelDescription, SplitInput, TensorExecutor, TensorInfo } from '@mtl-split/transport';

/** What Describe tells a client to send at 'input', from the bundle's (first) input spec. */
export function describeInput(input: InputSpec): InputDescription {
  const dtype = input.dtype ?? 'float32';
  if (dtype === 'uint8') return { dtype, layout: input.layout, min: 0, max: 255, preprocessing: '8-bit values as they are (uint8)' };
  const { mean, std } = input.preprocess;
  const plain = mean.every((m) => m === 0) && std.every((s) => s === 1);
  const lo = Math.min(...mean.map((m, c) => (0 - m) / std[c]));
  const hi = Math.max(...mean.map((m, c) => (1 - m) / std[c]));
  return {
    dtype,
    layout: input.layout,
    min: plain ? 0 : Number(lo.toFixed(6)),
    max: plain ? 1 : Number(hi.toFixed(6)),
    preprocessing: plain
      ? '8-bit pixels / 255, no mean or deviation normalisation'
      : `8-bit pixels / 255, then (value - mean[c]) / std[c] with mean [${mean.join(', ')}], std [${std.join(', ')}]`,
  };
}

/** A network input as Describe lists it. */
function inputTensor(i: InputSpec): TensorInfo {
  return { name: i.name, shape: [...i.shape], dtype: i.dtype ?? 'float32', layout: i.layout };
}

/**
 * The cloud half of a model bundle on whichever engine opened it: a cloud runner per split point, fed
 * every tensor crossing the point (every input at 'input'), returning every raw output of the heads and
 * the softmax probabilities of the classification tasks; a batch is one engine call. The candidate points
 * (all of them for our bundles) are made ready at start; the others of a large imported graph when first asked.
 */
export class BundleExecutor implements TensorExecutor {
  private constructor(
    readonly net: SplitNetwork,
    private readonly halves: Map<string, Promise<HeadsRunner>>,
  ) {}

  static async create(net: SplitNetwork): Promise<BundleExecutor> {
    const halves = new Map<string, Promise<HeadsRunner>>();
    for (const p of net.splitPoints) if (p.candidate !== false) halves.set(p.name, Promise.resolve(await net.cloudRunner(p.name)));
    return new BundleExecutor(net, halves);
  }

  /**
   * Runs every ready half once on zeros (batch 1) before the cloud says it listens, so no client's first request
   * pays a half's first run: the engine's allocations and, on an emulated device, the measurement of the half's
   * cost (a few hundred ms each on a machine that has not stored it; a first request at 'input' took 300+ ms and
   * made the edge's `--split auto` leave it for the rest of a run). Returns the points whose run failed, with why.
   */
  async warm(): Promise<{ ms: number; failed: Record<string, string> }> {
    const t0 = performance.now();
    const failed: Record<string, string> = {};
    for (const [point, half] of this.halves) {
      const tensors = this.net.pointTensors(point);
      if (tensors.some((t) => t.shape.some((d) => !(d > 0)))) continue; // a dynamic size: nothing to make zeros of
      try {
        await (await half).runAll(zeroSample(tensors));
      } catch (err) {
        failed[point] = err instanceof Error ? err.message : String(err);
      }
    }
    return { ms: performance.now() - t0, failed };
  }

  describe(): ModelDescription {
    const net = this.net;
    return {
      bundleId: net.id,
      tasks: net.tasks.map((t) => ({
        name: t.name,
        classes: [...t.classes],
        kind: t.kind,
        outputs: t.outputs.map((o) => ({ ...o, shape: [...o.shape] })),
      })),
      // the recorded value range of a point (when the bundle has one): the server refuses frames far outside it
      splitPoints: net.splitPoints.map((p) => ({
        name: p.name,
        shape: [...p.shape],
        tensors: net.pointTensors(p.name),
        ...(p.range ? { range: { ...p.range } } : {}),
      })),
      input: describeInput(net.input),
      inputs: net.inputs.map(inputTensor),
    };
  }

  private half(point: string): Promise<HeadsRunner> {
    let half = this.halves.get(point);
    if (!half) {
      if (!this.net.splitPoints.some((p) => p.name === point)) throw new Error(`unknown split point '${point}'`);
      half = this.net.cloudRunner(point);
      this.halves.set(point, half);
      half.catch(() => this.halves.delete(point));
    }
    return half;
  }

  async runAll(point: string, inputs: SplitInput[]): Promise<ExecutorOutputs> {
    const raw: Record<string, TensorData> = await (await this.half(point)).runAll(inputs);
    return outputsAndProbabilities(this.net.tasks, raw);
  }
}
