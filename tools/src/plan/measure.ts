import { performance } from 'node:perf_hooks';
import { decode, encode, type CodecName, type Compression } from '@mtl-split/codec';
import type { Dataset } from '@mtl-split/data';
import { split, type MtlModel, type SplitModel } from '@mtl-split/model';
import { tf } from '@mtl-split/runtime';

/** One codec at one split point: exact frame size of the real activation, encode/decode time. */
export interface CodecMeasurement {
  codec: CodecName;
  bytes: number;
  encodeMs: number;
  decodeMs: number;
}

/** Measured compute of one split point for one sample (median over the repeats, this machine). */
export interface PointMeasurement {
  point: string;
  shape: number[];
  /** Edge half, input -> activation read back as float32. */
  edgeMs: number;
  /** Cloud half, decoded activation -> logits read back. */
  cloudMs: number;
  codecs: CodecMeasurement[];
}

export interface Measurement {
  points: PointMeasurement[];
  /** Whole model on one device, input -> logits read back. */
  fullModelMs: number;
  repeats: number;
  compress: Compression;
}

export interface MeasureOptions {
  codecs: CodecName[];
  compress: Compression;
  repeats: number;
  /** Untimed runs of everything before the timed ones (default 5; the first wasm runs are slow). */
  warmup?: number;
  /** Called after each timed step; total = repeats * (points + 1). */
  onProgress?: (done: number, total: number) => void;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The first sample of the dataset's test split as a float32 array of the model's input shape. */
export function testSample(ds: Dataset): Float32Array {
  for (const b of ds.batches('test', 1, { limit: 1 })) return b.x;
  throw new Error(`dataset '${ds.name}' has no test samples`);
}

function readLogits(out: Record<string, tf.Tensor2D>): void {
  for (const t of Object.values(out)) t.dataSync();
  tf.dispose(out);
}

interface Samples {
  edge: number[];
  cloud: number[];
  enc: number[][];
  dec: number[][];
  bytes: number[];
}

/** One edge -> encode -> decode -> cloud pass at a split point; appends timings when `rec`. */
function runPoint(s: SplitModel, x: tf.Tensor4D, shape: number[], o: MeasureOptions, rec: Samples | null): void {
  let t0 = performance.now();
  const h = s.edge(x);
  const data = h.dataSync() as Float32Array;
  const edgeMs = performance.now() - t0;
  h.dispose();
  let decoded: Float32Array | null = null;
  o.codecs.forEach((codec, k) => {
    t0 = performance.now();
    const frame = encode({ data, shape: [1, ...shape] }, { codec, compress: o.compress });
    const t1 = performance.now();
    const d = decode(frame);
    const t2 = performance.now();
    if (rec) {
      rec.enc[k].push(t1 - t0);
      rec.dec[k].push(t2 - t1);
      rec.bytes[k] = frame.length;
    }
    decoded ??= d.data;
  });
  t0 = performance.now();
  const ht = tf.tensor(decoded ?? data, [1, ...shape]);
  readLogits(s.cloud(ht));
  const cloudMs = performance.now() - t0;
  ht.dispose();
  if (rec) {
    rec.edge.push(edgeMs);
    rec.cloud.push(cloudMs);
  }
}

/**
 * Times every split point of `model` on one sample `x` (batch 1): edge half, encode and decode per
 * codec, cloud half, and the whole model. Points are visited round-robin within each repeat so that
 * background load affects all of them alike; each figure is the median over the repeats. Yields to
 * the event loop between repeats (progress bars redraw).
 */
export async function measurePlan(model: MtlModel, sample: Float32Array, o: MeasureOptions): Promise<Measurement> {
  const [H, W, C] = model.inputShape;
  const x = tf.tensor4d(sample, [1, H, W, C]);
  try {
    const splits = model.splitPoints.map((p) => ({ info: p, s: split(model, p.name) }));
    const recs: Samples[] = splits.map(() => ({ edge: [], cloud: [], enc: o.codecs.map(() => []), dec: o.codecs.map(() => []), bytes: [] }));
    const full: number[] = [];
    const runFull = (rec: boolean): void => {
      const t0 = performance.now();
      readLogits(model.predict(x));
      if (rec) full.push(performance.now() - t0);
    };
    for (let w = 0; w < (o.warmup ?? 5); w++) {
      runFull(false);
      for (const { info, s } of splits) runPoint(s, x, info.shape, o, null);
    }
    const total = o.repeats * (splits.length + 1);
    let done = 0;
    for (let r = 0; r < o.repeats; r++) {
      await new Promise((resolve) => setImmediate(resolve)); // let the progress bar redraw
      runFull(true);
      o.onProgress?.(++done, total);
      splits.forEach(({ info, s }, i) => {
        runPoint(s, x, info.shape, o, recs[i]);
        o.onProgress?.(++done, total);
      });
    }
    return {
      points: splits.map(({ info }, i) => ({
        point: info.name,
        shape: [...info.shape],
        edgeMs: median(recs[i].edge),
        cloudMs: median(recs[i].cloud),
        codecs: o.codecs.map((codec, k) => ({ codec, bytes: recs[i].bytes[k], encodeMs: median(recs[i].enc[k]), decodeMs: median(recs[i].dec[k]) })),
      })),
      fullModelMs: median(full),
      repeats: o.repeats,
      compress: o.compress,
    };
  } finally {
    x.dispose();
  }
}
