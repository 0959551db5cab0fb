/** The samples of a run: where they come from, and one sample with its inputs and labels. */
import type { Batch, Dataset, DenseBatch, DenseDataset, Testset } from '@mtl-split/data';
import { isDenseDataset, sampleOf } from '@mtl-split/data';
import type { SampleInputs } from './edge-client.js';

/** A label of one sample: a class index, or a map (segmentation class map, dense values). */
export type SampleLabel = number | Float32Array;

/** One sample of a run. */
export interface Sample {
  index: number;
  /** Its input (one-input networks) or every input in `SplitNetwork.inputs` order. */
  x: SampleInputs;
  /** Per task; absent for unlabelled inputs. */
  labels?: Record<string, SampleLabel>;
  /** The input's name (file name, random-<i>) for unlabelled inputs. */
  name?: string;
}

/** An unlabelled sample: its name and input(s). */
export interface NamedSample {
  name: string;
  x: SampleInputs;
}

/** Where the samples come from. */
export type SampleSource =
  /** A dataset's test split; `channelsFirst`: its dense maps of several channels (normals) go CHW, as an NCHW output gives them. */
  | { kind: 'dataset'; dataset: Dataset; channelsFirst?: boolean }
  | { kind: 'inputs'; inputs: NamedSample[] }
  /** Made one at a time: `make(n)` yields the first n (seeded random inputs). */
  | { kind: 'generated'; count: number; make: (n: number) => Iterable<NamedSample> }
  /** A labelled test set (packages/data/src/testset), its inputs in the network's order (`order`). */
  | { kind: 'testset'; testset: Testset; order: number[] };

/** Samples a source yields (the inputs found, or n). */
export function sampleCount(source: SampleSource, n: number): number {
  if (source.kind === 'inputs') return Math.min(n, source.inputs.length);
  if (source.kind === 'generated') return Math.min(n, source.count);
  if (source.kind === 'testset') return Math.min(n, source.testset.samples);
  return n;
}

function* fromTestset(t: Testset, order: number[], n: number): Generator<Sample> {
  for (let i = 0; i < Math.min(n, t.samples); i++) {
    const labels: Record<string, SampleLabel> = {};
    for (const [task, l] of Object.entries(t.labels)) labels[task] = l.kind === 'classes' ? l.values[i] : sampleOf(l, i);
    const xs = order.map((k) => sampleOf(t.inputs[k], i));
    // a test set without labels gives named, unlabelled samples (their top classes are listed)
    yield { index: i, x: xs.length === 1 ? xs[0] : xs, ...(Object.keys(labels).length ? { labels } : { name: `sample-${i}` }) };
  }
}

/** The first n samples of a source, one at a time. */
export function* samples(source: SampleSource, n: number): Generator<Sample> {
  let index = 0;
  if (source.kind === 'testset') return yield* fromTestset(source.testset, source.order, n);
  if (source.kind !== 'dataset') {
    const inputs = source.kind === 'inputs' ? source.inputs.slice(0, n) : source.make(Math.min(n, source.count));
    for (const s of inputs) yield { index: index++, x: s.x, name: s.name };
    return;
  }
  if (isDenseDataset(source.dataset)) return yield* fromDense(source.dataset, n, source.channelsFirst ?? true);
  for (const b of source.dataset.batches('test', 1, { limit: n }) as Iterable<Batch>) {
    const labels: Record<string, SampleLabel> = {};
    for (const [task, l] of Object.entries(b.labels)) labels[task] = l[0];
    yield { index: index++, x: b.x, labels };
  }
}

/** HWC values (H * W pixels of `c` channels) as CHW. */
function toChw(hwc: Float32Array, c: number): Float32Array {
  const px = hwc.length / c;
  const out = new Float32Array(hwc.length);
  for (let p = 0; p < px; p++) for (let k = 0; k < c; k++) out[k * px + p] = hwc[p * c + k];
  return out;
}

/** The dense tasks a dataset with dense labels labels, by the names its networks give them (see the model's dense tasks). */
export const DENSE_LABELS = {
  segmentation: { ignore: undefined },
  depth: { quantity: 'depth' },
  normals: { quantity: 'normals' },
} as const;

/** A dense dataset's test samples: the factor labels, the class map, depth and normals of each. */
function* fromDense(ds: DenseDataset, n: number, channelsFirst: boolean): Generator<Sample> {
  let index = 0;
  for (const b of ds.denseBatches('test', 1, { limit: n }) as Iterable<DenseBatch>) {
    const labels: Record<string, SampleLabel> = {};
    for (const [task, l] of Object.entries(b.labels)) labels[task] = l[0];
    labels.segmentation = Float32Array.from(b.classMap);
    labels.depth = b.depth;
    labels.normals = channelsFirst ? toChw(b.normals, 3) : b.normals;
    yield { index: index++, x: b.x, labels };
  }
}
