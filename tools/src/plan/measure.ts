import { IMAGE_CODECS, decode, encode, type CodecName, type Compression } from '@mtl-split/codec';
import type { Dataset } from '@mtl-split/data';
import { randomInput as seededInput } from '@mtl-split/onnx';
import { STEADY_MIN_MS, steadyTime, type SplitNetwork, type TensorData, type TensorInfo } from '@mtl-split/model/infer';
import { type AnswerVariant, variantBytes } from './answers.js';

/** One codec at one split point: exact frame bytes of the real crossing tensors, encode/decode time, answer bytes. */
export interface CodecMeasurement {
  codec: CodecName;
  /** Frame bytes sent up (every crossing tensor's frame). */
  bytes: number;
  encodeMs: number;
  decodeMs: number;
  /** Answer wire bytes per answer variant (Measurement.answers order), from the cloud half's output on the decoded frames. */
  answerBytes: number[];
}

/** Measured compute of one split point for one sample (each half warm: median of back-to-back runs, this machine). */
export interface PointMeasurement {
  point: string;
  shape: number[];
  /** Tensors crossing the point (one frame each). */
  tensors: number;
  /** Edge half, inputs -> crossing tensors read back as float32. */
  edgeMs: number;
  /** Cloud half, decoded tensors -> every output read back. */
  cloudMs: number;
  codecs: CodecMeasurement[];
}

export interface Measurement {
  points: PointMeasurement[];
  /** Whole model on one device, inputs -> outputs read back. */
  fullModelMs: number;
  /** Timed runs per figure (at most; fewer when a figure's time budget ran out) and untimed warm-up runs before them. */
  repeats: number;
  warmup: number;
  compress: Compression;
  /** The answer variants (tasks asked, answer forms). */
  answers: AnswerVariant[];
}

export interface MeasureOptions {
  codecs: CodecName[];
  compress: Compression;
  repeats: number;
  /** Untimed runs before each figure's timed ones (default 5: sessions, allocations, JIT, caches). */
  warmup?: number;
  /** Wall-time budget of one figure's timed runs, ms (default 3000; at least 5 runs). */
  budgetMs?: number;
  /** Least wall time of one half's timed runs, ms (default STEADY_MIN_MS, 250; the codecs take a fifth of it). */
  minMs?: number;
  /** Answer variants (default: every task in its kind's default form). */
  answers?: AnswerVariant[];
  /** Called after each split point; total = points + 1. */
  onProgress?: (done: number, total: number) => void;
}

/** Every task in its kind's default form. */
export const DEFAULT_ANSWERS: AnswerVariant[] = [{ name: 'all', request: {} }];

/** Seeded inputs of every network input (for bundles without a dataset): [0, 1) floats, 0..255 uint8, 0/1 integers. */
export function randomInputs(inputs: readonly { shape: readonly number[]; dtype?: string }[], seed: number): TensorData[] {
  return inputs.map((i, k) => seededInput(i.dtype ?? 'float32', i.shape, 1, seed + k));
}

/** The first sample of the dataset's test split as a float32 array of the model's input shape. */
export function testSample(ds: Dataset): Float32Array {
  for (const b of ds.batches('test', 1, { limit: 1 })) return b.x;
  throw new Error(`dataset '${ds.name}' has no test samples`);
}

/** Image codecs (png, jpeg, webp) send the camera's picture: they are measured at the input split only. */
export function codecApplies(codec: CodecName, point: string): boolean {
  return point === 'input' || !(IMAGE_CODECS as readonly string[]).includes(codec);
}

/** Channel axis of a batch [n, ...shape] of a tensor of this layout: 1 for NCHW, the last for NHWC or none (the edge's). */
const channelAxis = (t: TensorInfo | undefined, rank: number): number => (t?.layout === 'NCHW' && rank >= 3 ? 1 : rank - 1);

/** Times one codec on the crossing tensors: frames, their bytes, encode and decode (steady), the decoded tensors. */
async function measureCodec(codec: CodecName, cut: TensorData[], infos: TensorInfo[], o: MeasureOptions) {
  const encodeAll = (): Uint8Array[] =>
    cut.map((t, i) => encode(t, { codec, compress: o.compress, channelAxis: channelAxis(infos[i], t.shape.length) }));
  const frames = encodeAll();
  const decodeAll = (): TensorData[] => frames.map((f) => decode(f));
  const timing = { warmup: o.warmup, runs: o.repeats, budgetMs: o.budgetMs, minMs: (o.minMs ?? STEADY_MIN_MS) / 5 };
  const enc = await steadyTime(async () => encodeAll(), timing);
  const dec = await steadyTime(async () => decodeAll(), timing);
  return { frames, decoded: decodeAll(), encodeMs: enc.ms, decodeMs: dec.ms };
}

/** The steadyTime settings of a half. */
const halfTiming = (o: MeasureOptions) => ({ warmup: o.warmup, runs: o.repeats, budgetMs: o.budgetMs, minMs: o.minMs });

/** The whole network on one sample, warm (median of back-to-back runs after warm-up). */
export async function measureWhole(net: SplitNetwork, x: TensorData[], o: MeasureOptions): Promise<number> {
  const whole = await net.wholeRunner();
  return (await steadyTime(() => whole.runAll(x), halfTiming(o))).ms;
}

/** One split point: the edge half warm, each codec, the cloud half warm on the first codec's decoded tensors, the answers. */
export async function measurePoint(
  net: SplitNetwork,
  point: string,
  x: TensorData[],
  o: MeasureOptions,
  answers: AnswerVariant[] = DEFAULT_ANSWERS,
): Promise<PointMeasurement> {
  const timing = halfTiming(o);
  const infos = net.pointTensors(point);
  const edge = await net.edgeRunner(point);
  const edgeT = await steadyTime(() => edge.runAll(x), timing);
  const cut = await edge.runAll(x);
  const cloud = await net.cloudRunner(point);
  const codecs: CodecMeasurement[] = [];
  let cloudMs = Number.NaN;
  for (const codec of o.codecs) {
    if (!codecApplies(codec, point)) continue;
    const c = await measureCodec(codec, cut, infos, o);
    if (Number.isNaN(cloudMs)) cloudMs = (await steadyTime(() => cloud.runAll(c.decoded), timing)).ms;
    const raw = await cloud.runAll(c.decoded);
    const bytes = c.frames.reduce((a, f) => a + f.length, 0);
    const answerBytes = variantBytes(net.tasks, answers, raw, { bundleId: net.id, point, requestBytes: bytes });
    codecs.push({ codec, bytes, encodeMs: c.encodeMs, decodeMs: c.decodeMs, answerBytes });
  }
  return { point, shape: [...net.point(point).shape], tensors: infos.length, edgeMs: edgeT.ms, cloudMs, codecs };
}

/**
 * Times every candidate split point of `net` (the bundle's `candidate` points; all when none is marked) on
 * one sample (batch 1), on the engine that opened it, one half at a time: warm-up runs, then back-to-back
 * timed runs, their median (`steadyTime`, the figure the device emulation scales), so no figure holds a
 * cold session or a session switch. Per codec: the frames' bytes, encode and decode; per answer variant:
 * the answer's wire bytes from the cloud half's real output.
 */
export async function measurePlan(net: SplitNetwork, x: TensorData[], o: MeasureOptions): Promise<Measurement> {
  const answers = o.answers ?? DEFAULT_ANSWERS;
  const points = net.splitPoints.filter((p) => p.candidate !== false);
  const total = points.length + 1;
  const fullModelMs = await measureWhole(net, x, o);
  o.onProgress?.(1, total);
  const out: PointMeasurement[] = [];
  for (const p of points) {
    await new Promise((resolve) => setImmediate(resolve)); // let the progress bar redraw
    out.push(await measurePoint(net, p.name, x, o, answers));
    o.onProgress?.(out.length + 1, total);
  }
  return { points: out, fullModelMs, repeats: o.repeats, warmup: o.warmup ?? 5, compress: o.compress, answers };
}
