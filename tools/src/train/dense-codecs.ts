/**
 * The literature's metrics of every task of a dense bundle at every split point, with every crossing tensor
 * sent through a codec (f32, int8, int8-channel by default), on the first n samples of its test split:
 *   npx tsx tools/src/train/dense-codecs.ts --model models/shapes3d-dense-unet [-n 300] [--codecs f32,int8,int8-channel]
 * Prints a markdown table (bytes per sample summed over the point's tensors) and the int8 costs against f32.
 */
import { createProgram, parseOrExit, runMain, UsageError } from '@mtl-split/cli';
import { CODECS, decode, encode } from '@mtl-split/codec';
import { datasetOptionsFromRecord, loadDataset } from '@mtl-split/data';
import { loadBundle, type MtlNet, splitFlow, taskBatches, taskMeter } from '@mtl-split/model';
import { initRuntime, tf } from '@mtl-split/runtime';

const program = createProgram('dense-codecs', 'Per-task metrics of a dense bundle at every split point through each codec.')
  .requiredOption('--model <dir>', 'bundle folder')
  .option('-n, --samples <n>', 'test samples (the first n)', '300')
  .option('--codecs <list>', `comma-separated codecs: ${CODECS.join(', ')}`, 'f32,int8,int8-channel');

type Row = { point: string; codec: string; bytes: number; metrics: Record<string, Record<string, number>> };

async function measure(model: MtlNet, point: string, codec: string, batches: ReturnType<typeof collect>): Promise<Row> {
  const s = splitFlow(model, point);
  const meters = model.tasks.map((t) => taskMeter(model, t.name));
  let bytes = 0;
  let n = 0;
  for (const b of batches) {
    const [h, w, c] = model.inputShape;
    const x = tf.tensor4d(b.x, [b.n, h, w, c]);
    const hs = s.edge(x);
    const sent = hs.map((t) => {
      const frame = encode({ data: t.dataSync() as Float32Array, shape: t.shape }, { codec });
      bytes += frame.byteLength;
      const d = decode(frame);
      return tf.tensor(d.data, d.shape);
    });
    const out = s.cloud(sent);
    model.tasks.forEach((t, i) => {
      const y = out[t.name] as tf.Tensor;
      const p = meters[i]?.argmax ? tf.tidy(() => tf.argMax(y, y.rank - 1)) : y;
      meters[i]?.add(p.dataSync(), b.targets[i] as ArrayLike<number>, b.n);
      if (p !== y) p.dispose();
    });
    tf.dispose([x, ...hs, ...sent, ...Object.values(out)]);
    n += b.n;
  }
  return { point, codec, bytes: bytes / n, metrics: Object.fromEntries(model.tasks.map((t, i) => [t.name, meters[i]?.scores() ?? {}])) };
}

function collect(model: MtlNet, manifest: { dataset: { name: string; options: Record<string, unknown> } }, n: number) {
  const ds = loadDataset(manifest.dataset.name, datasetOptionsFromRecord(manifest.dataset.name, manifest.dataset.options));
  return [...taskBatches(model, ds, 'test', 50, { limit: n })];
}

const pct = (v: number | undefined): string => (v === undefined ? '-' : (100 * v).toFixed(2));

function table(rows: Row[]): string {
  const lines = [
    '| point | codec | bytes/sample | mIoU % | pixel acc % | depth rel err % | depth abs err | normals mean deg | within 11.25 % | scale acc % | shape acc % |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const m = r.metrics;
    lines.push(
      `| ${r.point} | ${r.codec} | ${Math.round(r.bytes)} | ${pct(m.segmentation?.meanIoU)} | ${pct(m.segmentation?.pixelAccuracy)} | ${pct(m.depth?.relativeError)} | ${m.depth?.absoluteError?.toFixed(4) ?? '-'} | ${m.normals?.meanAngleDegrees?.toFixed(2) ?? '-'} | ${pct(m.normals?.within11_25)} | ${pct(m.scale?.accuracy)} | ${pct(m.shape?.accuracy)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  parseOrExit(program);
  const o = program.opts<{ model: string; samples: string; codecs: string }>();
  const n = Number(o.samples);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`invalid -n '${o.samples}': must be an integer >= 1`);
  const codecs = o.codecs.split(',').map((c) => c.trim());
  const bad = codecs.filter((c) => !(CODECS as readonly string[]).includes(c));
  if (bad.length) throw new UsageError(`invalid --codecs '${bad.join(', ')}': valid are ${CODECS.join(', ')}`);
  await initRuntime();
  const { model, manifest } = await loadBundle(o.model);
  const batches = collect(model, manifest, n);
  const rows: Row[] = [];
  for (const point of model.pointNames) {
    for (const codec of codecs) {
      rows.push(await measure(model, point, codec, batches));
      process.stderr.write(`${point} ${codec} done\n`);
    }
  }
  process.stdout.write(`${table(rows)}\n`);
  for (const r of rows.filter((x) => x.codec !== 'f32')) {
    const f = rows.find((x) => x.point === r.point && x.codec === 'f32');
    if (!f) continue;
    const dIoU = 100 * ((r.metrics.segmentation?.meanIoU ?? 0) - (f.metrics.segmentation?.meanIoU ?? 0));
    const fr = f.metrics.depth?.relativeError ?? 0;
    const dRel = (100 * ((r.metrics.depth?.relativeError ?? 0) - fr)) / fr;
    process.stdout.write(
      `${r.point} ${r.codec} against f32: mIoU ${dIoU >= 0 ? '+' : ''}${dIoU.toFixed(3)} points, depth relative error ${dRel >= 0 ? '+' : ''}${dRel.toFixed(3)}% relative\n`,
    );
  }
  model.dispose();
}

runMain('dense-codecs', main);
