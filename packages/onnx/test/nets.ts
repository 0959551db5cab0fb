import { GraphBuilder, valueInfo, type ModelProto } from '../src/index.js';

/** Seeded weights in [-0.5, 0.5). */
export function weights(seed: number, n: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

function conv(g: GraphBuilder, x: string, cin: number, cout: number, k: number, seed: number, out?: string): string {
  const w = g.floats('w', weights(seed, cout * cin * k * k), [cout, cin, k, k]);
  const b = g.floats('b', weights(seed + 1, cout), [cout]);
  return g.node('Conv', [x, w, b], { pads: [(k - 1) / 2, (k - 1) / 2, (k - 1) / 2, (k - 1) / 2] }, out);
}

function up(g: GraphBuilder, x: string, cin: number, cout: number, seed: number): string {
  const w = g.floats('wt', weights(seed, cin * cout * 4), [cin, cout, 2, 2]);
  return g.node('ConvTranspose', [x, w], { strides: [2, 2] });
}

/**
 * A tiny U-Net: 2 encoder stages (e1 [N,4,8,8], e2 [N,8,4,4]) with skip concatenations into the decoder,
 * a bottleneck, and two outputs: seg [N,3,8,8] and depth [N,1,8,8]. Input x [N,2,8,8].
 */
export function tinyUnet(batch: number | string = 'N'): ModelProto {
  const g = new GraphBuilder();
  g.input('x', [batch, 2, 8, 8]);
  const e1 = g.node('Relu', [conv(g, 'x', 2, 4, 3, 1)], {}, 'e1');
  const e2 = g.node('Relu', [conv(g, g.node('MaxPool', [e1], { kernel_shape: [2, 2], strides: [2, 2] }), 4, 8, 3, 3)], {}, 'e2');
  const b = g.node('Relu', [conv(g, g.node('MaxPool', [e2], { kernel_shape: [2, 2], strides: [2, 2] }), 8, 8, 3, 5)], {}, 'bottleneck');
  const d2 = g.node('Relu', [conv(g, g.node('Concat', [up(g, b, 8, 8, 7), e2], { axis: 1 }), 16, 8, 3, 9)], {}, 'd2');
  const d1 = g.node('Relu', [conv(g, g.node('Concat', [up(g, d2, 8, 4, 11), e1], { axis: 1 }), 8, 4, 3, 13)], {}, 'd1');
  conv(g, d1, 4, 3, 1, 15, 'seg');
  conv(g, d1, 4, 1, 1, 17, 'depth');
  g.output('seg', [batch, 3, 8, 8]);
  g.output('depth', [batch, 1, 8, 8]);
  return g.build({ producer: 'test', version: '1', graphName: 'unet' });
}

/**
 * Two inputs: rgb float32 [N,3,4,4] and mask uint8 [N,1,4,4] (cast and scaled to [0, 1] inside); the
 * mask joins after the rgb branch's conv. Outputs: dense [N,2,4,4] and cls [N,3] (pooled).
 */
export function twoInputs(): ModelProto {
  const g = new GraphBuilder();
  g.input('rgb', ['N', 3, 4, 4]);
  g.input('mask', ['N', 1, 4, 4]);
  const a = g.node('Relu', [conv(g, 'rgb', 3, 4, 3, 21)], {}, 'rgb_feat');
  const m = g.node('Div', [g.node('Cast', ['mask'], { to: 1 }), g.floats('k255', Float32Array.of(255), [])], {}, 'mask_f');
  const f = g.node('Relu', [conv(g, g.node('Concat', [a, m], { axis: 1 }), 5, 4, 3, 23)], {}, 'fused');
  conv(g, f, 4, 2, 1, 25, 'dense');
  const pooled = g.node('Flatten', [g.node('GlobalAveragePool', [f])], {}, 'pooled');
  g.node('Gemm', [pooled, g.floats('wc', weights(27, 12), [4, 3])], {}, 'cls');
  g.output('dense', ['N', 2, 4, 4]);
  g.output('cls', ['N', 3]);
  const model = g.build({ producer: 'test', version: '1', graphName: 'two' });
  model.graph!.input![1] = valueInfo('mask', ['N', 1, 4, 4], 2);
  return model;
}

/** A graph exported for batch 1: x [1,2,4,4] -> conv -> relu -> Reshape to the constant [1, 48] -> Gemm -> out [1,5]. */
export function batchOneNet(): ModelProto {
  const g = new GraphBuilder();
  g.input('x', [1, 2, 4, 4]);
  const r = g.node('Relu', [conv(g, 'x', 2, 3, 3, 31)], {}, 'feat');
  const flat = g.node('Reshape', [r, g.int64s('shape', [1, 48])], {}, 'flat');
  g.node('Gemm', [flat, g.floats('wg', weights(33, 240), [48, 5])], {}, 'out');
  g.output('out', [1, 5]);
  return g.build({ producer: 'test', version: '1', graphName: 'batch1' });
}

/** Batch 1 that the rewrite cannot lift: a token Expand-ed to the constant [1,1,3] and concatenated to x [1,2,3]. */
export function batchOneToken(): ModelProto {
  const g = new GraphBuilder();
  g.input('x', [1, 2, 3]);
  const tok = g.node('Expand', [g.floats('tok', weights(41, 3), [1, 1, 3]), g.int64s('tshape', [1, 1, 3])]);
  g.node('Relu', [g.node('Concat', [tok, 'x'], { axis: 1 })], {}, 'out');
  g.output('out', [1, 3, 3]);
  return g.build({ producer: 'test', version: '1', graphName: 'token' });
}
