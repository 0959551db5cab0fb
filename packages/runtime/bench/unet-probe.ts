/**
 * Probe: wasm time of the ops a U-Net decoder trains with (upsampling, concatenation, slicing,
 * transposed convolution, and their gradients), beside an XNNPACK element-wise add of the same size
 * and a 3x3 conv for scale. `npx tsx bench/unet-probe.ts [reps]`.
 */
import { initRuntime, setWasmFastPaths, tf } from '../src/index.js';

await initRuntime({ backend: 'wasm' });
const reps = Number(process.argv[2] ?? 10);
const fast = !process.argv.includes('--no-fast');
setWasmFastPaths(fast);

function time(name: string, f: () => tf.Tensor | tf.Tensor[]): void {
  for (let i = 0; i < 2; i++) tf.dispose(f());
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const out = f();
    (Array.isArray(out) ? out : [out]).forEach((o) => o.dataSync());
    t.push(performance.now() - t0);
    tf.dispose(out);
  }
  t.sort((a, b) => a - b);
  console.log(`${name.padEnd(58)} ${t[Math.floor(t.length / 2)]!.toFixed(2)} ms`);
}

const [n, h, w, c, cs] = [16, 32, 32, 32, 16];
const x = tf.randomNormal([n, h, w, c]) as tf.Tensor4D;
const skip = tf.randomNormal([n, 2 * h, 2 * w, cs]) as tf.Tensor4D;
const up = tf.randomNormal([n, 2 * h, 2 * w, c]) as tf.Tensor4D;
const cat = tf.randomNormal([n, 2 * h, 2 * w, c + cs]) as tf.Tensor4D;
const k3 = tf.randomNormal([3, 3, c + cs, c]) as tf.Tensor4D;
const kt = tf.randomNormal([2, 2, c, c]) as tf.Tensor4D;
console.log(`shapes: x [${x.shape}], upsampled [${up.shape}], skip [${skip.shape}]`);
time('add (XNNPACK reference) on the upsampled size', () => tf.add(up, up));
time('resizeNearestNeighbor x2', () => tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w]));
time(
  'ResizeNearestNeighborGrad',
  () =>
    tf
      .engine()
      .runKernel('ResizeNearestNeighborGrad', { images: x, dy: up }, { alignCorners: false, halfPixelCenters: false }) as tf.Tensor,
);
time('resizeBilinear x2', () => tf.image.resizeBilinear(x, [2 * h, 2 * w]));
time(
  'ResizeBilinearGrad',
  () => tf.engine().runKernel('ResizeBilinearGrad', { images: x, dy: up }, { alignCorners: false, halfPixelCenters: false }) as tf.Tensor,
);
time('concat axis 3 (upsampled + skip)', () => tf.concat([up, skip], 3));
time('slice axis 3 (concat grad: both parts)', () => [
  tf.slice(cat, [0, 0, 0, 0], [-1, -1, -1, c]),
  tf.slice(cat, [0, 0, 0, c], [-1, -1, -1, cs]),
]);
time('split axis 3 (SplitV: the concat gradient tfjs issues)', () => tf.split(cat, [c, cs], 3));
time('conv2dTranspose 2x2 stride 2', () => tf.conv2dTranspose(x, kt, [n, 2 * h, 2 * w, c], 2, 'same'));
time('grads conv2dTranspose 2x2 s2 (dx, dw)', () =>
  tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [n, 2 * h, 2 * w, c], 2, 'same'))(
    [x, kt],
    up,
  ),
);
time('conv2d 3x3 on the concat (scale)', () => tf.conv2d(cat, k3, 1, 'same'));
time('grads conv2d 3x3 on the concat (dx, dw)', () =>
  tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))([cat, k3], up),
);
