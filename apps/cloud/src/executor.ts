import { softmaxRows, type HeadsRunner, type InputSpec, type SplitNetwork } from '@mtl-split/model/infer';
import type { InputDescription, ModelDescription, SplitExecutor, SplitInput } from '@mtl-split/transport';

/** What Describe tells a client to send at 'input', from the bundle's input spec. */
export function describeInput(input: InputSpec): InputDescription {
  const { mean, std } = input.preprocess;
  const plain = mean.every((m) => m === 0) && std.every((s) => s === 1);
  const lo = Math.min(...mean.map((m, c) => (0 - m) / std[c]));
  const hi = Math.max(...mean.map((m, c) => (1 - m) / std[c]));
  return {
    dtype: 'float32',
    layout: input.layout,
    min: plain ? 0 : Number(lo.toFixed(6)),
    max: plain ? 1 : Number(hi.toFixed(6)),
    preprocessing: plain
      ? '8-bit pixels / 255, no mean or deviation normalisation'
      : `8-bit pixels / 255, then (value - mean[c]) / std[c] with mean [${mean.join(', ')}], std [${std.join(', ')}]`,
  };
}

/**
 * The cloud half of a model bundle on whichever engine opened it: a cloud runner per split point,
 * returning softmax probabilities per task; a batch is one engine call. The candidate points (all of
 * them for our bundles) are made ready at start; the others of a large imported graph when first asked.
 */
export class BundleExecutor implements SplitExecutor {
  private constructor(
    readonly net: SplitNetwork,
    private readonly halves: Map<string, Promise<HeadsRunner>>,
  ) {}

  static async create(net: SplitNetwork): Promise<BundleExecutor> {
    const halves = new Map<string, Promise<HeadsRunner>>();
    for (const p of net.splitPoints) if (p.candidate !== false) halves.set(p.name, Promise.resolve(await net.cloudRunner(p.name)));
    return new BundleExecutor(net, halves);
  }

  describe(): ModelDescription {
    return {
      bundleId: this.net.id,
      tasks: this.net.tasks.map((t) => ({ name: t.name, classes: [...t.classes] })),
      // the recorded value range of a point (when the bundle has one): the server refuses frames far outside it
      splitPoints: this.net.splitPoints.map((p) => ({ name: p.name, shape: [...p.shape], ...(p.range ? { range: { ...p.range } } : {}) })),
      input: describeInput(this.net.input),
    };
  }

  async run(point: string, input: SplitInput): Promise<Record<string, Float32Array>> {
    let half = this.halves.get(point);
    if (!half) {
      if (!this.net.splitPoints.some((p) => p.name === point)) throw new Error(`unknown split point '${point}'`);
      half = this.net.cloudRunner(point);
      this.halves.set(point, half);
      half.catch(() => this.halves.delete(point));
    }
    const logits = await (await half).run(input);
    const result: Record<string, Float32Array> = {};
    for (const [task, l] of Object.entries(logits)) result[task] = softmaxRows(l);
    return result;
  }
}
