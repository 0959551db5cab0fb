import { softmaxRows, type HeadsRunner, type SplitNetwork } from '@mtl-split/model';
import type { ModelDescription, SplitExecutor, SplitInput } from '@mtl-split/transport';

/**
 * The cloud half of a model bundle on whichever engine opened it: a cloud runner per split point
 * (made ready at start), returning softmax probabilities per task. A batch is one engine call.
 */
export class BundleExecutor implements SplitExecutor {
  private constructor(
    readonly net: SplitNetwork,
    private readonly halves: Map<string, HeadsRunner>,
  ) {}

  static async create(net: SplitNetwork): Promise<BundleExecutor> {
    const halves = new Map<string, HeadsRunner>();
    for (const p of net.splitPoints) halves.set(p.name, await net.cloudRunner(p.name));
    return new BundleExecutor(net, halves);
  }

  describe(): ModelDescription {
    return {
      bundleId: this.net.id,
      tasks: this.net.tasks.map((t) => ({ name: t.name, classes: [...t.classes] })),
      splitPoints: this.net.splitPoints.map((p) => ({ name: p.name, shape: [...p.shape] })),
    };
  }

  async run(point: string, input: SplitInput): Promise<Record<string, Float32Array>> {
    const half = this.halves.get(point);
    if (!half) throw new Error(`unknown split point '${point}'`);
    const logits = await half.run(input);
    const result: Record<string, Float32Array> = {};
    for (const [task, l] of Object.entries(logits)) result[task] = softmaxRows(l);
    return result;
  }
}
