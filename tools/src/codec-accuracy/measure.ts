/**
 * Accuracy, SNR and frame size of every codec at every split point of a model: the edge half
 * runs, each sample's activation is encoded into its own frame (as the edge app sends it),
 * decoded, and the cloud half runs on the decoded batch.
 */
import { COMPRESSIONS, compressionAvailable, decode, encode, peekHeader, snrDb, type CodecName, type Compression } from '@mtl-split/codec';
import type { Dataset } from '@mtl-split/data';
import { split, type MtlModel } from '@mtl-split/model';
import { tf } from '@mtl-split/runtime';

export const DEFAULT_CODECS: readonly CodecName[] = ['f32', 'f16', 'int8', 'int8-channel', 'uint4'];

export interface CodecAccuracyOptions {
  /** Test samples (the first n of the test split). */
  samples: number;
  /** Samples per edge/cloud batch; default 100. */
  batchSize?: number;
  /** Codecs to measure; default all five. f32 is always measured (the baseline). */
  codecs?: readonly CodecName[];
  /** Split points; default every point of the model. */
  points?: readonly string[];
  /** Passed to encode (int8-channel, uint4); default the codec's own default. */
  minGroupValues?: number;
  /** Called after each batch of each point. */
  onProgress?: (point: string, done: number, total: number) => void;
}

export interface CodecAccuracyRow {
  point: string;
  /** Per-sample tensor shape at the point. */
  shape: number[];
  codec: CodecName;
  samples: number;
  /** Fraction correct per task. */
  accuracy: Record<string, number>;
  /** Accuracy minus f32's at this point, in percentage points, per task. */
  deltaPp: Record<string, number>;
  /** 10·log10(Σx² / Σ(x−x')²) over all samples at this point (Infinity when lossless). */
  snrDb: number;
  /** Lowest per-sample SNR (each sample is one frame). */
  minSampleSnrDb: number;
  /** Mean frame bytes per sample, per lossless stage that is available. */
  bytesPerSample: Partial<Record<Compression, number>>;
  /** Quantisation groups the encoder chose for one sample (0 for f32/f16). */
  groups: number;
}

export interface CodecAccuracyResult {
  model: string;
  tasks: string[];
  samples: number;
  rows: CodecAccuracyRow[];
}

function argmaxCounts(logits: Record<string, tf.Tensor2D>, labels: Record<string, Int32Array>, tasks: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tasks) {
    const pred = tf.tidy(() => tf.argMax(logits[t], 1));
    const p = pred.dataSync();
    pred.dispose();
    let c = 0;
    const l = labels[t];
    for (let i = 0; i < l.length; i++) if (p[i] === l[i]) c++;
    out[t] = c;
  }
  return out;
}

/** Measures every codec at every split point on the first `samples` test samples of `dataset`. */
export async function measureCodecAccuracy(
  model: MtlModel,
  modelName: string,
  dataset: Dataset,
  opts: CodecAccuracyOptions,
): Promise<CodecAccuracyResult> {
  const tasks = model.tasks.map((t) => t.name);
  const codecs: CodecName[] = ['f32', ...(opts.codecs ?? DEFAULT_CODECS).filter((c) => c !== 'f32')];
  const stages = COMPRESSIONS.filter((c) => compressionAvailable(c));
  const points = opts.points ?? model.splitPoints.map((p) => p.name);
  const batchSize = opts.batchSize ?? 100;
  const [H, W, C] = model.inputShape;
  const rows: CodecAccuracyRow[] = [];

  for (const point of points) {
    const info = model.splitPoints.find((p) => p.name === point);
    if (info === undefined) throw new Error(`model has no split point '${point}'`);
    const half = split(model, point);
    const per = info.shape.reduce((a, b) => a * b, 1);
    const frameShape = [1, ...info.shape];
    const acc = codecs.map(() => ({
      correct: Object.fromEntries(tasks.map((t) => [t, 0])) as Record<string, number>,
      signal: 0,
      noise: 0,
      minSnr: Infinity,
      bytes: Object.fromEntries(stages.map((s) => [s, 0])) as Record<string, number>,
      groups: 0,
    }));
    let done = 0;
    for (const b of dataset.batches('test', batchSize, { limit: opts.samples })) {
      const h = half.edge(tf.tensor4d(b.x, [b.n, H, W, C]));
      const act = (await h.data()) as Float32Array;
      h.dispose();
      const decoded = new Float32Array(act.length);
      for (let k = 0; k < codecs.length; k++) {
        const codec = codecs[k];
        const a = acc[k];
        for (let i = 0; i < b.n; i++) {
          const x = act.subarray(i * per, (i + 1) * per);
          const t = { data: x, shape: frameShape };
          const frame = encode(t, { codec, minGroupValues: opts.minGroupValues });
          a.bytes.none += frame.length;
          const back = decode(frame, { out: decoded.subarray(i * per, (i + 1) * per) }).data;
          if (a.groups === 0 && codec !== 'f32' && codec !== 'f16') a.groups = peekHeader(frame).quant?.scales.length ?? 0;
          const snr = snrDb(x, back);
          let sig = 0;
          for (let j = 0; j < per; j++) sig += x[j] * x[j];
          a.signal += sig;
          if (snr !== Infinity) a.noise += sig / 10 ** (snr / 10);
          a.minSnr = Math.min(a.minSnr, snr);
          for (const s of stages) {
            if (s !== 'none') a.bytes[s] += encode(t, { codec, compress: s, minGroupValues: opts.minGroupValues }).length;
          }
        }
        const logits = tf.tidy(() => half.cloud(tf.tensor(decoded, [b.n, ...info.shape])));
        const counts = argmaxCounts(logits, b.labels, tasks);
        tf.dispose(logits);
        for (const t of tasks) a.correct[t] += counts[t];
      }
      done += b.n;
      opts.onProgress?.(point, done, opts.samples);
      await new Promise((r) => setImmediate(r));
    }
    const base = acc[0];
    codecs.forEach((codec, k) => {
      const a = acc[k];
      const accuracy = Object.fromEntries(tasks.map((t) => [t, a.correct[t] / done]));
      rows.push({
        point,
        shape: [...info.shape],
        codec,
        samples: done,
        accuracy,
        deltaPp: Object.fromEntries(tasks.map((t) => [t, (100 * (a.correct[t] - base.correct[t])) / done])),
        snrDb: a.noise === 0 ? Infinity : 10 * Math.log10(a.signal / a.noise),
        minSampleSnrDb: a.minSnr,
        bytesPerSample: Object.fromEntries(stages.map((s) => [s, a.bytes[s] / done])),
        groups: a.groups,
      });
    });
  }
  return { model: modelName, tasks, samples: rows[0]?.samples ?? 0, rows };
}
