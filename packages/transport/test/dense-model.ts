import type { ExecutorOutputs, ModelDescription, SplitInput, TensorExecutor } from '../src/index.js';

/** Softmax of each row of [n, k]. */
export function softmax(logits: Float32Array, k: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length / k; r++) {
    const row = logits.subarray(r * k, (r + 1) * k);
    const max = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, j) => (out[r * k + j] = v / sum));
  }
  return out;
}

const HW = 20; // 4 x 5 pixels

/**
 * A small multi-task network in plain arithmetic, for the wire's typed answers: input x [n,1,4,5] in
 * [0,1]. Split point 'mid' is crossed by two tensors: a [n,2,4,5] (NCHW: x and 1 - x) and b [n,3] (mean,
 * max, min of x). Heads: 'seg' segmentation [n,3,4,5] (NCHW logits of 3 classes), 'depth' dense [n,1,4,5],
 * 'scene' classification [n,2], 'boxes' detection with two outputs (boxes [n,4,4], scores [n,4]).
 */
export class DenseModel implements TensorExecutor {
  /** Batch sizes runAll was called with. */
  readonly batchSizes: number[] = [];

  describe(): ModelDescription {
    const input = { name: 'x', shape: [1, 4, 5], dtype: 'float32' as const, layout: 'NCHW' as const };
    return {
      bundleId: 'dense-test-model',
      tasks: [
        {
          name: 'seg',
          classes: ['sky', 'road', 'car'],
          kind: 'segmentation',
          outputs: [{ name: 'seg', shape: [3, 4, 5], dtype: 'float32', layout: 'NCHW' }],
        },
        { name: 'depth', classes: [], kind: 'dense', outputs: [{ name: 'depth', shape: [1, 4, 5], dtype: 'float32', layout: 'NCHW' }] },
        { name: 'scene', classes: ['day', 'night'] },
        {
          name: 'boxes',
          classes: [],
          kind: 'detection',
          outputs: [
            { name: 'boxes', shape: [4, 4], dtype: 'float32' },
            { name: 'scores', shape: [4], dtype: 'float32' },
          ],
        },
      ],
      splitPoints: [
        { name: 'input', shape: [1, 4, 5] },
        {
          name: 'mid',
          shape: [2, 4, 5],
          tensors: [
            { name: 'a', shape: [2, 4, 5], dtype: 'float32', layout: 'NCHW' },
            { name: 'b', shape: [3], dtype: 'float32' },
          ],
        },
      ],
      input: { dtype: 'float32', layout: 'NCHW', min: 0, max: 1, preprocessing: 'values in [0, 1]' },
      inputs: [input],
    };
  }

  /** The edge half at 'mid': x [n,1,4,5] -> [a, b]. */
  edge(x: Float32Array, n: number): [SplitInput, SplitInput] {
    const a = new Float32Array(n * 2 * HW);
    const b = new Float32Array(n * 3);
    for (let s = 0; s < n; s++) {
      const xs = x.subarray(s * HW, (s + 1) * HW);
      for (let i = 0; i < HW; i++) {
        a[s * 2 * HW + i] = xs[i];
        a[s * 2 * HW + HW + i] = 1 - xs[i];
      }
      b.set([xs.reduce((p, q) => p + q, 0) / HW, Math.max(...xs), Math.min(...xs)], s * 3);
    }
    return [
      { data: a, shape: [n, 2, 4, 5] },
      { data: b, shape: [n, 3] },
    ];
  }

  /** The heads: [a, b] -> raw outputs. */
  heads(a: Float32Array, b: Float32Array, n: number): Record<string, Float32Array> {
    const seg = new Float32Array(n * 3 * HW);
    const depth = new Float32Array(n * HW);
    const scene = new Float32Array(n * 2);
    const boxes = new Float32Array(n * 16);
    const scores = new Float32Array(n * 4);
    for (let s = 0; s < n; s++) {
      for (let i = 0; i < HW; i++) {
        const x = a[s * 2 * HW + i];
        const y = a[s * 2 * HW + HW + i];
        seg[s * 3 * HW + i] = 3 * x;
        seg[s * 3 * HW + HW + i] = 3 * y;
        seg[s * 3 * HW + 2 * HW + i] = 1.5 + b[s * 3] - b[s * 3 + 2] + (i % 3) * 0.1;
        depth[s * HW + i] = 10 * x + b[s * 3 + 1] - 0.25 * i;
      }
      scene[s * 2] = 4 * b[s * 3];
      scene[s * 2 + 1] = 4 * (1 - b[s * 3]);
      for (let k = 0; k < 4; k++) {
        boxes.set([k * 1.5, b[s * 3 + 2] * 64, 10 + k * b[s * 3 + 1] * 30, 48.25], s * 16 + k * 4);
        scores[s * 4 + k] = b[s * 3] / (k + 1);
      }
    }
    return { seg, depth, scene, boxes, scores };
  }

  async runAll(point: string, inputs: SplitInput[]): Promise<ExecutorOutputs> {
    const n = inputs[0].shape[0];
    this.batchSizes.push(n);
    const [a, b] = point === 'input' ? this.edge(inputs[0].data, n) : inputs;
    const outputs = this.heads(a.data, b.data, n);
    return { outputs, probabilities: { scene: softmax(outputs.scene, 2) } };
  }
}
