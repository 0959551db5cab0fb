import { tf } from '@mtl-split/runtime';
import type { ModelDescription, ProbabilityExecutor, SplitInput } from '../src/index.js';

/**
 * A tiny real multi-task network for transport tests: input [8,8,1] -> conv 3x3/2 (4 ch, relu) ->
 * dense 16 (relu) -> heads 'a' (3 classes) and 'b' (2 classes). Split points: input, conv, features.
 */
export class TinyModel implements ProbabilityExecutor {
  static readonly POINTS = ['input', 'conv', 'features'] as const;
  readonly shapes: Record<string, number[]> = { input: [8, 8, 1], conv: [4, 4, 4], features: [16] };
  private readonly convW = tf.randomNormal([3, 3, 1, 4], 0, 0.5, 'float32', 1) as tf.Tensor4D;
  private readonly denseW = tf.randomNormal([64, 16], 0, 0.3, 'float32', 2) as tf.Tensor2D;
  private readonly headA = tf.randomNormal([16, 3], 0, 0.5, 'float32', 3) as tf.Tensor2D;
  private readonly headB = tf.randomNormal([16, 2], 0, 0.5, 'float32', 4) as tf.Tensor2D;
  /** Batch sizes `run` was called with. */
  readonly batchSizes: number[] = [];
  /** Extra delay per run (ms), to make batching observable. */
  delayMs = 0;

  constructor(readonly bundleId = 'tiny-test-model') {}

  describe(): ModelDescription {
    return {
      bundleId: this.bundleId,
      tasks: [
        { name: 'a', classes: ['x', 'y', 'z'] },
        { name: 'b', classes: ['no', 'yes'] },
      ],
      splitPoints: TinyModel.POINTS.map((name) => ({ name, shape: this.shapes[name] })),
    };
  }

  /** Input -> tensor at `point` (the edge half). */
  edge(point: string, x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      if (point === 'input') return x.clone();
      const conv = tf.relu(tf.conv2d(x as tf.Tensor4D, this.convW, 2, 'same'));
      if (point === 'conv') return conv;
      return tf.relu(tf.matMul(tf.reshape(conv, [-1, 64]) as tf.Tensor2D, this.denseW));
    });
  }

  /** Tensor at `point` -> probabilities per task (the cloud half). */
  cloud(point: string, h: tf.Tensor): Record<string, tf.Tensor2D> {
    return tf.tidy(() => {
      let t = h;
      if (point === 'input') t = tf.relu(tf.conv2d(t as tf.Tensor4D, this.convW, 2, 'same'));
      if (point === 'input' || point === 'conv') t = tf.relu(tf.matMul(tf.reshape(t, [-1, 64]) as tf.Tensor2D, this.denseW));
      const f = t as tf.Tensor2D;
      return {
        a: tf.softmax(tf.matMul(f, this.headA)) as tf.Tensor2D,
        b: tf.softmax(tf.matMul(f, this.headB)) as tf.Tensor2D,
      };
    });
  }

  /** Whole network locally. */
  predict(x: tf.Tensor4D): Record<string, Float32Array> {
    const h = this.edge('input', x);
    const out = this.cloud('input', h);
    h.dispose();
    const res = { a: out.a.dataSync() as Float32Array, b: out.b.dataSync() as Float32Array };
    tf.dispose(out);
    return res;
  }

  async run(point: string, input: SplitInput): Promise<Record<string, Float32Array>> {
    this.batchSizes.push(input.shape[0]);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const h = tf.tensor(input.data, input.shape);
    const out = this.cloud(point, h);
    h.dispose();
    const res = { a: (await out.a.data()) as Float32Array, b: (await out.b.data()) as Float32Array };
    tf.dispose(out);
    return res;
  }
}
