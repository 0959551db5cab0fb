/** The samples of a run: where they come from, and one sample with its inputs and labels. */
import type { Batch, Dataset, Testset } from '@mtl-split/data';
import { sampleOf } from '@mtl-split/data';
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
  | { kind: 'dataset'; dataset: Dataset }
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
  for (const b of source.dataset.batches('test', 1, { limit: n }) as Iterable<Batch>) {
    const labels: Record<string, SampleLabel> = {};
    for (const [task, l] of Object.entries(b.labels)) labels[task] = l[0];
    yield { index: index++, x: b.x, labels };
  }
}
