import { split, type Bundle, type SplitModel } from '@mtl-split/model';
import { tf } from '@mtl-split/runtime';
import type { ModelDescription, SplitExecutor, SplitInput } from '@mtl-split/transport';

/**
 * The cloud half of a model bundle: holds the whole network and runs it from whichever split point a
 * request names (split(model, point).cloud), returning softmax probabilities per task.
 */
export class BundleExecutor implements SplitExecutor {
  private readonly halves = new Map<string, SplitModel>();

  constructor(readonly bundle: Bundle) {
    for (const p of bundle.model.splitPoints) this.halves.set(p.name, split(bundle.model, p.name));
  }

  describe(): ModelDescription {
    const m = this.bundle.model;
    return {
      bundleId: this.bundle.id,
      tasks: m.tasks.map((t) => ({ name: t.name, classes: [...t.classes] })),
      splitPoints: m.splitPoints.map((p) => ({ name: p.name, shape: [...p.shape] })),
    };
  }

  async run(point: string, input: SplitInput): Promise<Record<string, Float32Array>> {
    const half = this.halves.get(point);
    if (!half) throw new Error(`unknown split point '${point}'`);
    const probs = tf.tidy(() => {
      const h = tf.tensor(input.data, input.shape);
      const logits = half.cloud(h);
      const out: Record<string, tf.Tensor> = {};
      for (const [task, l] of Object.entries(logits)) out[task] = tf.softmax(l);
      return out;
    });
    const result: Record<string, Float32Array> = {};
    try {
      for (const [task, t] of Object.entries(probs)) result[task] = (await t.data()) as Float32Array;
    } finally {
      tf.dispose(probs);
    }
    return result;
  }
}
