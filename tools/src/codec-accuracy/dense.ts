/**
 * The codec-accuracy measurement for models with dense tasks or multi-tensor cuts (a unet): every task's
 * metrics (by kind: mIoU and pixel accuracy, depth errors, normals angles, accuracy) at every split point
 * with every crossing tensor sent through a codec, and each lossy codec's change against f32 at its point.
 */
import { type CodecName, decode, encode } from '@mtl-split/codec';
import type { Dataset } from '@mtl-split/data';
import { addOutputs, LOWER_IS_BETTER, type MtlNet, splitFlow, type TaskBatch, taskBatches, taskMeter } from '@mtl-split/model';
import { tf } from '@mtl-split/runtime';

export interface DenseRow {
  point: string;
  codec: CodecName;
  /** Frame bytes per sample, summed over the point's tensors. */
  bytes: number;
  /** Each task's metrics (taskMeter's keys). */
  metrics: Record<string, Record<string, number>>;
}

/** Metrics that are shares (printed and compared in percentage points); the others are in their own units. */
const isShare = (metric: string): boolean => /accuracy|IoU|relativeError|within/i.test(metric);

/** The first n test samples of the dataset, with every task's targets, in batches of `batchSize`. */
export function denseTestBatches(model: MtlNet, ds: Dataset, n: number, batchSize: number): TaskBatch[] {
  return [...taskBatches(model, ds, 'test', batchSize, { limit: n })];
}

/** Each sample of a batch through the codec in its own frame, as the edge sends it: the decoded batch and the frames' bytes. */
function sendEach(data: Float32Array, shape: number[], codec: CodecName, minGroupValues?: number): { data: Float32Array; bytes: number } {
  const n = shape[0] ?? 1;
  const per = data.length / n;
  const out = new Float32Array(data.length);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const frame = encode({ data: data.subarray(i * per, (i + 1) * per), shape: [1, ...shape.slice(1)] }, { codec, minGroupValues });
    bytes += frame.byteLength;
    decode(frame, { out: out.subarray(i * per, (i + 1) * per) });
  }
  return { data: out, bytes };
}

async function measureOne(
  model: MtlNet,
  point: string,
  codec: CodecName,
  batches: TaskBatch[],
  minGroupValues?: number,
): Promise<DenseRow> {
  const s = splitFlow(model, point);
  const meters = model.tasks.map((t) => taskMeter(model, t.name));
  const [h, w, c] = model.inputShape;
  let bytes = 0;
  let n = 0;
  for (const b of batches) {
    const x = tf.tensor4d(b.x, [b.n, h, w, c]);
    const hs = s.edge(x);
    const sent = hs.map((t) => {
      const r = sendEach(t.dataSync() as Float32Array, t.shape, codec, minGroupValues);
      bytes += r.bytes;
      return tf.tensor(r.data, t.shape);
    });
    const out = s.cloud(sent);
    addOutputs(model, meters, out, b.targets, b.n);
    tf.dispose([x, ...hs, ...sent, ...Object.values(out)]);
    n += b.n;
    await new Promise((r) => setImmediate(r));
  }
  const metrics = Object.fromEntries(model.tasks.map((t, i) => [t.name, meters[i]?.scores() ?? {}]));
  return { point, codec, bytes: bytes / Math.max(n, 1), metrics };
}

/** Every point x codec, in order; `onRow` after each (progress); `minGroupValues` as encode takes it. */
export async function measureDense(
  model: MtlNet,
  batches: TaskBatch[],
  points: readonly string[],
  codecs: readonly CodecName[],
  o: { minGroupValues?: number; onRow?: (row: DenseRow, done: number, total: number) => void } = {},
): Promise<DenseRow[]> {
  const rows: DenseRow[] = [];
  for (const point of points) {
    for (const codec of codecs) {
      rows.push(await measureOne(model, point, codec, batches, o.minGroupValues));
      o.onRow?.(rows[rows.length - 1] as DenseRow, rows.length, points.length * codecs.length);
    }
  }
  return rows;
}

/** `task metric` column names, in the order of the first row's tasks and metrics. */
function columns(rows: DenseRow[]): [string, string][] {
  const first = rows[0]?.metrics ?? {};
  return Object.entries(first).flatMap(([task, m]) => Object.keys(m).map((k): [string, string] => [task, k]));
}

const cell = (metric: string, v: number | undefined): string =>
  v === undefined ? '-' : isShare(metric) ? (100 * v).toFixed(2) : v.toFixed(metric.includes('Degrees') ? 2 : 4);

/** A markdown table: point, codec, bytes per sample, then every task's every metric (shares in %). */
export function formatDenseTable(rows: DenseRow[]): string {
  const cols = columns(rows);
  const head = cols.map(([t, k]) => `${t} ${k}${isShare(k) ? ' %' : ''}`);
  return [
    `| point | codec | bytes/sample | ${head.join(' | ')} |`,
    `| --- | --- | ---: |${' ---: |'.repeat(cols.length)}`,
    ...rows.map(
      (r) => `| ${r.point} | ${r.codec} | ${Math.round(r.bytes)} | ${cols.map(([t, k]) => cell(k, r.metrics[t]?.[k])).join(' | ')} |`,
    ),
  ].join('\n');
}

/**
 * One line per lossy row: each metric's change against f32 at the same point, signed so that a cost is
 * negative (shares in percentage points, other metrics in their units), e.g.
 * `block4 int8 against f32: segmentation meanIoU -0.004 pt, depth relativeError -0.000 pt, ...`.
 */
export function lossyCosts(rows: DenseRow[]): string[] {
  const cols = columns(rows);
  return rows
    .filter((r) => r.codec !== 'f32')
    .flatMap((r) => {
      const f = rows.find((x) => x.point === r.point && x.codec === 'f32');
      if (!f) return [];
      const parts = cols.map(([t, k]) => {
        const d = (r.metrics[t]?.[k] ?? 0) - (f.metrics[t]?.[k] ?? 0);
        const better = LOWER_IS_BETTER.includes(k) ? -d : d;
        const v = isShare(k) ? 100 * better : better;
        return `${t} ${k} ${v >= 0 ? '+' : ''}${v.toFixed(3)}${isShare(k) ? ' pt' : ''}`;
      });
      return [`${r.point} ${r.codec} against f32: ${parts.join(', ')}`];
    });
}
