/**
 * Pictures of a dense bundle's answers: after the baseline (unshaped link), the edge app runs the first
 * `PICTURE_SAMPLES` samples once per split point and codec (and edge-only, the whole network here; and
 * each lossy answer form of the dense tasks at the deepest split point) with
 * `--json`, which writes every class map and raw output beside its JSON; those become one PNG strip per
 * split point and codec, and one of the inputs and labels, in `<work>/pictures/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDenseDataset, isTestset, loadDataset, readTestset, sampleOf } from '@mtl-split/data';
import { readManifest } from '@mtl-split/model/infer';
import { EDGE_ONLY } from '@mtl-split/stats';
import { runEdge, type EdgeResult } from '../apps.js';
import { denseKind, renderStrip, scalarRanges, toChw, type MapData } from '../report/pictures-png.js';
import type { Pictures } from '../results.js';
import { REPO_ROOT } from '../paths.js';
import type { Supervisor } from '../supervisor.js';
import { forCodec } from './splits.js';
import { EDGE_JOB_MS, type BundleRun } from './state.js';

/** Samples per strip. */
export const PICTURE_SAMPLES = 3;

type Kinds = Map<string, string>;

/** The maps of one answered sample, from the result's map files (class maps, and dense tasks' raw outputs). */
function answerMaps(res: EdgeResult, dir: string, kinds: Kinds, i: number): MapData[] {
  const out: MapData[] = [];
  for (const [task, files] of Object.entries(res.files ?? {})) {
    for (const f of files) {
      const kind = kinds.get(task);
      if (f.output !== 'classes' && kind !== 'dense') continue; // segmentation logits, detection: not drawn
      const per = f.shape.reduce((a, b) => a * b, 1);
      const buf = fs.readFileSync(path.join(dir, f.file));
      const all =
        f.dtype === 'uint8' ? Float32Array.from(buf) : new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      const { chw, data } = toChw(f.shape, all.slice(i * per, (i + 1) * per));
      out.push({
        kind: f.output === 'classes' ? 'classes' : denseKind(chw[0]),
        name: f.output === 'classes' ? task : `${task}/${f.output}`,
        chw,
        data,
      });
    }
  }
  return out;
}

/** The inputs and labels of the first samples, where the scenario's samples have them (a labelled test set, a dense dataset). */
function referenceRows(s: BundleRun['st']['s'], dataset: string | undefined, n: number, kinds: Kinds): MapData[][] {
  // the edge runs from the repository root: its --inputs resolve from there
  const inputs = s.inputs ? path.resolve(REPO_ROOT, s.inputs) : undefined;
  if (inputs && isTestset(inputs)) {
    const t = readTestset(inputs);
    const img = t.inputs[0]!;
    return Array.from({ length: Math.min(n, t.samples) }, (_, i) => {
      const x = toChw(img.shape, sampleOf(img, i), img.layout);
      const labels = Object.entries(t.labels).flatMap(([task, l]): MapData[] => {
        if (l.kind !== 'map') return [];
        const m = toChw(l.shape, sampleOf(l, i));
        return [
          {
            kind: kinds.get(task) === 'segmentation' ? 'classes' : denseKind(m.chw[0]),
            name: kinds.get(task) === 'segmentation' ? task : `${task}/${task}`,
            ...m,
          },
        ];
      });
      return [{ kind: 'image', name: 'input', ...x }, ...labels];
    });
  }
  if (s.inputs || !dataset) return [];
  const ds = loadDataset(dataset);
  if (!isDenseDataset(ds)) return [];
  const [h, w] = ds.dense.size;
  return Array.from({ length: n }, (_, i) => {
    const d = ds.sample('test', i);
    return [
      { kind: 'image', name: 'input', ...toChw([h, w, 3], d.image, 'NHWC') },
      { kind: 'classes', name: 'label classes', chw: [1, h, w], data: Float32Array.from(d.classMap) },
      { kind: 'scalar', name: 'label depth', chw: [1, h, w], data: d.depth },
      { kind: 'normals', ...toChw([h, w, 3], d.normals, 'NHWC'), name: 'label normals' },
    ] satisfies MapData[];
  });
}

/** Lossy answer forms a dense task's answers are also drawn in (the transport's raw forms besides f32). */
export const LOSSY_ANSWER_FORMS = ['f16', 'int8'] as const;

/** A picture job: a split point and request codec, and the answer form of the dense tasks (absent: the cloud's default). */
interface PictureJob {
  split: string;
  codec: string;
  answers?: string;
}

/**
 * The jobs: edge-only, every split point and codec of the sweep, and at the deepest swept split point with
 * f32 (no request damage) each lossy answer form of the dense tasks, so an answer codec's damage is seen too.
 */
function pictureJobs(r: BundleRun, kinds: Kinds): PictureJob[] {
  const jobs: PictureJob[] = [
    { split: EDGE_ONLY, codec: r.codecs[0]! },
    ...r.codecs.flatMap((codec) => forCodec(r.splits, codec).map((split) => ({ split, codec }))),
  ];
  const deepest = r.splits[r.splits.length - 1];
  if ([...kinds.values()].includes('dense') && deepest)
    jobs.push(...LOSSY_ANSWER_FORMS.map((answers) => ({ split: deepest, codec: 'f32', answers })));
  return jobs;
}

/** One edge run of `PICTURE_SAMPLES` samples of a job, its maps written beside its JSON. */
async function pictureRun(r: BundleRun, sup: Supervisor, j: PictureJob, kinds: Kinds, k: number): Promise<EdgeResult | undefined> {
  const { split, codec } = j;
  const dense = [...kinds].filter(([, kind]) => kind === 'dense').map(([t]) => t);
  const { st } = r;
  const dir = path.join(st.work, 'pictures', 'maps');
  fs.mkdirSync(dir, { recursive: true });
  const label = `pictures ${r.b.id} ${split} ${codec}${j.answers ? ` answers ${j.answers}` : ''}`;
  st.progress.stage(label);
  const s = st.s;
  const [res] = await runEdge(sup, {
    model: r.b.dir,
    cloud: `${r.relay.host}:${r.relay.port}`,
    split,
    codec,
    compress: s.compress,
    n: PICTURE_SAMPLES,
    warmup: 0,
    deadlineMs: 60_000,
    ...(j.answers ? { answers: Object.fromEntries(dense.map((t) => [t, { form: j.answers! }])) } : {}),
    ...(s.inputs ? { inputs: s.inputs } : { dataset: s.dataset }),
    ...(s.runtime ? { runtime: s.runtime } : {}),
    quality: s.quality,
    jsonFile: path.join(dir, `${k}.json`),
    logFile: path.join(st.work, 'logs', `pictures-${k}.log`),
    label,
    timeoutMs: EDGE_JOB_MS * 2,
    okCodes: [0, 3],
  });
  return res;
}

/**
 * The pictures of a bundle with segmentation or dense tasks (undefined for one without): every split point
 * and codec of the sweep and edge-only, drawn on one colour range per scalar output.
 */
export async function measurePictures(r: BundleRun, sup: Supervisor): Promise<Pictures | undefined> {
  const manifest = readManifest(r.b.dir);
  const kinds: Kinds = new Map(manifest.tasks.map((t) => [t.name, t.kind ?? 'classification']));
  if (![...kinds.values()].some((k) => k === 'segmentation' || k === 'dense')) return undefined;
  const runs: Array<PictureJob & { rows: MapData[][] }> = [];
  for (const [k, j] of pictureJobs(r, kinds).entries()) {
    const res = await pictureRun(r, sup, j, kinds, k);
    const dir = path.join(r.st.work, 'pictures', 'maps');
    if (res)
      runs.push({ ...j, rows: Array.from({ length: Math.min(PICTURE_SAMPLES, res.samples) }, (_, i) => answerMaps(res, dir, kinds, i)) });
  }
  const reference = referenceRows(r.st.s, r.st.s.dataset ?? manifest.dataset?.name, PICTURE_SAMPLES, kinds);
  // each answer row starts with its input, when the samples give it
  for (const x of runs) x.rows = x.rows.map((row, i) => (reference[i]?.[0] ? [reference[i]![0]!, ...row] : row));
  const ranges = scalarRanges([...runs.flatMap((x) => x.rows.flat()), ...reference.flat()]);
  const write = (file: string, rows: MapData[][]): string => {
    fs.writeFileSync(path.join(r.st.work, 'pictures', file), renderStrip(rows, ranges));
    return `pictures/${file}`;
  };
  const strips = runs.map((x, k) => ({
    split: x.split,
    codec: x.split === EDGE_ONLY ? 'none' : x.codec,
    ...(x.answers ? { answers: x.answers } : {}),
    file: write(`strip-${k}.png`, x.rows),
  }));
  fs.rmSync(path.join(r.st.work, 'pictures', 'maps'), { recursive: true, force: true });
  return {
    samples: PICTURE_SAMPLES,
    panels: runs[0]?.rows[0]?.map((m) => m.name) ?? [],
    reference: { file: reference.length ? write('reference.png', reference) : '', panels: reference[0]?.map((m) => m.name) ?? [] },
    strips,
  };
}
