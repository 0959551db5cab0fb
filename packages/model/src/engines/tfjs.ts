import { initRuntime, tf } from '@mtl-split/runtime';
import { EDGE_ONLY } from '@mtl-split/stats';
import { loadBundle } from '../bundle/load.js';
import { readOnnxFile } from '../bundle/read.js';
import type { Manifest } from '../bundle/manifest.js';
import { FoldedConvs } from '../fold.js';
import { split } from '../split.js';
import type { SplitModel } from '../types.js';
import { checkBatch, copyTasks, findPoint, inputSpec, singleEdge, singleHeads, tensorsOf } from './common.js';
import type { EdgeRunner, EngineOptions, HeadsRunner, SplitNetwork, TensorData } from './types.js';

async function read(t: tf.Tensor): Promise<TensorData> {
  const data = (await t.data()) as Float32Array;
  return { data, shape: [...t.shape] };
}

async function readAll(out: Record<string, tf.Tensor>): Promise<Record<string, TensorData>> {
  const res: Record<string, TensorData> = {};
  try {
    for (const [k, t] of Object.entries(out)) res[k] = await read(t);
  } finally {
    tf.dispose(out);
  }
  return res;
}

/**
 * Opens a bundle on TensorFlow.js (the model's own layers and weights, NHWC). Its runners run the
 * inference form: each conv followed by batch norm is one fused conv with the batch norm folded into
 * its weights and bias (unless `foldBatchNorm: false`); the folded weights are made when a runner
 * first uses a conv.
 */
export async function openTfjs(dir: string, manifest: Manifest, o: EngineOptions): Promise<SplitNetwork> {
  // model.onnx is not run here, but a corrupted one means a corrupted bundle (as the onnx engine checks weights.bin)
  if (manifest.onnx) readOnnxFile(dir, manifest);
  const runtime = await initRuntime(o.backend ? { backend: o.backend } : {});
  const bundle = await loadBundle(dir);
  const model = bundle.model;
  const folded = o.foldBatchNorm === false ? undefined : new FoldedConvs();
  const halves = new Map<string, SplitModel>();
  const half = (point: string): SplitModel => {
    let h = halves.get(point);
    if (!h) halves.set(point, (h = split(model, point, { folded })));
    return h;
  };
  const input = inputSpec(manifest);
  const net: SplitNetwork = {
    id: bundle.id,
    engine: 'tfjs',
    backend: runtime.backend,
    tasks: copyTasks(model.tasks),
    input,
    inputs: [input],
    splitPoints: manifest.splitPoints,
    point: (name) => findPoint(bundle.id, manifest.splitPoints, name),
    // our layers are NHWC: a rank-3 sample is [H, W, C]
    pointTensors: (point) =>
      tensorsOf(net.point(point), net.inputs).map((t) => (t.layout || t.shape.length !== 3 ? t : { ...t, layout: 'NHWC' })),
    async edgeRunner(point): Promise<EdgeRunner> {
      net.point(point);
      const h = half(point);
      return singleEdge(point, async (x) => {
        checkBatch(`edge half '${point}' of '${bundle.id}'`, x.shape, input.shape, x.data);
        if (point === 'input') return { data: x.data, shape: [...x.shape] };
        const t = tf.tensor4d(x.data, x.shape as [number, number, number, number]);
        try {
          const y = h.edge(t);
          try {
            return await read(y);
          } finally {
            y.dispose();
          }
        } finally {
          t.dispose();
        }
      });
    },
    async cloudRunner(point): Promise<HeadsRunner> {
      const info = net.point(point);
      const h = half(point);
      return singleHeads(point, async (x) => {
        checkBatch(`cloud half '${point}' of '${bundle.id}'`, x.shape, info.shape, x.data);
        const t = tf.tensor(x.data, x.shape);
        try {
          return await readAll(h.cloud(t));
        } finally {
          t.dispose();
        }
      });
    },
    async wholeRunner(): Promise<HeadsRunner> {
      return singleHeads(EDGE_ONLY, async (x) => {
        checkBatch(`model '${bundle.id}'`, x.shape, input.shape, x.data);
        const t = tf.tensor4d(x.data, x.shape as [number, number, number, number]);
        try {
          return await readAll(model.predict(t, { folded }));
        } finally {
          t.dispose();
        }
      });
    },
    async close() {
      folded?.dispose();
      model.dispose();
    },
  };
  return net;
}
