import { performance } from 'node:perf_hooks';
import { IMAGE_CODECS, decode, encode, type CodecName, type Compression } from '@mtl-split/codec';
import type { Dataset } from '@mtl-split/data';
import { withDevice, type EdgeRunner, type HeadsRunner, type SplitNetwork } from '@mtl-split/model/infer';
import { median } from '@mtl-split/stats';

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
  /**
   * Device profiles' factors: the edge halves and the whole network are timed through withDevice(net, edge),
   * the cloud halves through withDevice(net, cloud): the same emulation the apps run (default 1, this machine).
   */
  devices?: { edge: number; cloud: number };
  /** Called after each timed step; total = repeats * (points + 1). */
  onProgress?: (done: number, total: number) => void;
}

/** A seeded uniform [0, 1) input of a per-sample shape (for bundles without a dataset). */
export function randomInput(shape: readonly number[], seed: number): Float32Array {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** The first sample of the dataset's test split as a float32 array of the model's input shape. */
export function testSample(ds: Dataset): Float32Array {
  for (const b of ds.batches('test', 1, { limit: 1 })) return b.x;
  throw new Error(`dataset '${ds.name}' has no test samples`);
}

interface Samples {
  edge: number[];
  cloud: number[];
  enc: number[][];
  dec: number[][];
  bytes: number[];
}

interface Halves {
  edge: EdgeRunner;
  cloud: HeadsRunner;
}

/** One edge -> encode -> decode -> cloud pass at a split point; appends timings when `rec`. */
/** Image codecs (png, jpeg, webp) send the camera's picture: they are measured at the input split only. */
export function codecApplies(codec: CodecName, point: string): boolean {
  return point === 'input' || !(IMAGE_CODECS as readonly string[]).includes(codec);
}

async function runPoint(
  point: string,
  s: Halves,
  x: { data: Float32Array; shape: number[] },
  shape: number[],
  o: MeasureOptions,
  rec: Samples | null,
): Promise<void> {
  let t0 = performance.now();
  const { data } = await s.edge.run(x);
  const edgeMs = performance.now() - t0;
  let decoded: Float32Array | null = null;
  o.codecs.forEach((codec, k) => {
    if (!codecApplies(codec, point)) return;
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
  await s.cloud.run({ data: decoded ?? data, shape: [1, ...shape] });
  const cloudMs = performance.now() - t0;
  if (rec) {
    rec.edge.push(edgeMs);
    rec.cloud.push(cloudMs);
  }
}

/**
 * Times every split point of `net` on one sample (batch 1), on the engine that opened it: edge half,
 * encode and decode per codec, cloud half, and the whole model. Points are visited round-robin within
 * each repeat so that background load affects all of them alike; each figure is the median over the
 * repeats. Yields to the event loop between repeats (progress bars redraw).
 */
export async function measurePlan(net: SplitNetwork, sample: Float32Array, o: MeasureOptions): Promise<Measurement> {
  const x = { data: sample, shape: [1, ...net.input.shape] };
  {
    const splits: { info: (typeof net.splitPoints)[number]; s: Halves }[] = [];
    const edgeNet = withDevice(net, o.devices?.edge ?? 1);
    const cloudNet = withDevice(net, o.devices?.cloud ?? 1);
    for (const p of net.splitPoints)
      splits.push({ info: p, s: { edge: await edgeNet.edgeRunner(p.name), cloud: await cloudNet.cloudRunner(p.name) } });
    const whole = await edgeNet.wholeRunner();
    const recs: Samples[] = splits.map(() => ({
      edge: [],
      cloud: [],
      enc: o.codecs.map(() => []),
      dec: o.codecs.map(() => []),
      bytes: [],
    }));
    const full: number[] = [];
    const runFull = async (rec: boolean): Promise<void> => {
      const t0 = performance.now();
      await whole.run(x);
      if (rec) full.push(performance.now() - t0);
    };
    for (let w = 0; w < (o.warmup ?? 5); w++) {
      await runFull(false);
      for (const { info, s } of splits) await runPoint(info.name, s, x, info.shape, o, null);
    }
    const total = o.repeats * (splits.length + 1);
    let done = 0;
    for (let r = 0; r < o.repeats; r++) {
      await new Promise((resolve) => setImmediate(resolve)); // let the progress bar redraw
      await runFull(true);
      o.onProgress?.(++done, total);
      for (let i = 0; i < splits.length; i++) {
        await runPoint(splits[i].info.name, splits[i].s, x, splits[i].info.shape, o, recs[i]);
        o.onProgress?.(++done, total);
      }
    }
    return {
      points: splits.map(({ info }, i) => ({
        point: info.name,
        shape: [...info.shape],
        edgeMs: median(recs[i].edge),
        cloudMs: median(recs[i].cloud),
        codecs: o.codecs.flatMap((codec, k) =>
          codecApplies(codec, info.name)
            ? [{ codec, bytes: recs[i].bytes[k], encodeMs: median(recs[i].enc[k]), decodeMs: median(recs[i].dec[k]) }]
            : [],
        ),
      })),
      fullModelMs: median(full),
      repeats: o.repeats,
      compress: o.compress,
    };
  }
}
