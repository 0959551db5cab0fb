/**
 * `--verify`: the split must compute what the network computes. Every raw output the cloud answered
 * (asked as f32) is compared element by element with a reference computed here, within a tolerance per
 * task kind, and classification probabilities with the softmax of the reference logits. The reference is
 * the whole network when the codec is lossless (f32: the cloud received exactly the edge half's tensors),
 * else the cloud half run here on the frames as the cloud decodes them (a lossy codec changes the tensors,
 * not what the cloud must compute from them). The first element outside the tolerance is kept, naming the
 * task, output, sample and element.
 */
import { decode } from '@mtl-split/codec';
import { softmaxRows, type HeadsRunner, type SplitNetwork, type TaskKind, type TensorData } from '@mtl-split/model/infer';
import { EDGE_ONLY } from '@mtl-split/stats';
import type { EdgeAnswer } from './edge-client.js';
import type { EdgeResult } from './spec.js';

/** |cloud - reference| <= abs + rel x |reference| per element, by task kind (probabilities: `abs` of classification's `probabilities`). */
export const VERIFY_TOLERANCE: Record<TaskKind | 'probabilities', { abs: number; rel: number }> = {
  classification: { abs: 1e-4, rel: 1e-4 },
  probabilities: { abs: 1e-5, rel: 0 },
  segmentation: { abs: 1e-4, rel: 1e-4 },
  dense: { abs: 1e-4, rel: 1e-4 },
  // boxes are in pixels: a relative tolerance
  detection: { abs: 1e-4, rel: 1e-4 },
};

/** Codecs whose frames decode to exactly the tensors encoded (u8 takes integers 0..255 only, e.g. a uint8 input). */
const LOSSLESS = new Set(['f32', 'u8']);

type Report = NonNullable<EdgeResult['verify']>;
type First = NonNullable<Report['first']>;

export class Verifier {
  compared = 0;
  mismatches = 0;
  /** Largest |probability difference| over classification tasks (the result's `maxAbsDiff`). */
  probabilityDiff = 0;
  first: First | undefined;
  readonly maxAbsDiff: Record<string, number> = {};
  private whole: HeadsRunner | undefined;
  private readonly rests = new Map<string, HeadsRunner>();
  readonly reference: Report['reference'];

  constructor(
    private readonly net: SplitNetwork,
    codec: string,
  ) {
    this.reference = LOSSLESS.has(codec) ? 'whole' : 'decoded';
  }

  /** The reference outputs of one answered sample. */
  private async referenceOf(a: EdgeAnswer, inputs: TensorData[]): Promise<Record<string, TensorData>> {
    if (this.reference === 'whole' || a.split === EDGE_ONLY || !a.frames) {
      this.whole ??= await this.net.wholeRunner();
      return this.whole.runAll(inputs);
    }
    let rest = this.rests.get(a.split);
    if (!rest) this.rests.set(a.split, (rest = await this.net.cloudRunner(a.split)));
    return rest.runAll(a.frames.map((f) => decode(f)));
  }

  /** Compares one answer of sample `sample` (its inputs as batches of one). */
  async check(a: EdgeAnswer, inputs: TensorData[], sample: number): Promise<void> {
    const ref = await this.referenceOf(a, inputs);
    for (const t of a.tasks) {
      const kind = this.net.tasks.find((x) => x.name === t.task)?.kind ?? 'classification';
      for (const o of t.outputs) {
        const want = ref[o.output];
        if (want) this.compare(t.task, o.output, o.data, want.data, VERIFY_TOLERANCE[kind], sample);
      }
      if (t.kind === 'classification') {
        const logits = ref[this.net.tasks.find((x) => x.name === t.task)?.outputs[0]?.name ?? t.task];
        if (!logits) continue;
        const d = this.compare(t.task, 'probabilities', t.probabilities, softmaxRows(logits), VERIFY_TOLERANCE.probabilities, sample);
        this.probabilityDiff = Math.max(this.probabilityDiff, d);
      }
    }
  }

  /** Element-wise comparison; returns the largest |difference| (Infinity when the lengths differ). */
  private compare(
    task: string,
    output: string,
    got: ArrayLike<number>,
    want: ArrayLike<number>,
    tol: { abs: number; rel: number },
    sample: number,
  ): number {
    const key = `${task}/${output}`;
    const tolerance = `${tol.abs} + ${tol.rel} x |reference|`;
    let max = 0;
    if (got.length !== want.length) {
      this.mismatches++;
      this.first ??= { task, output, sample, element: Math.min(got.length, want.length), cloud: null, reference: null, tolerance };
      max = Infinity;
    }
    for (let i = 0; i < Math.min(got.length, want.length); i++) {
      const d = Math.abs(got[i] - want[i]);
      if (!(d <= max)) max = d; // NaN counts as the largest
      if (!(d <= tol.abs + tol.rel * Math.abs(want[i]))) {
        this.mismatches++;
        this.first ??= { task, output, sample, element: i, cloud: got[i], reference: want[i], tolerance };
      }
    }
    this.compared += Math.min(got.length, want.length);
    this.maxAbsDiff[key] = Math.max(this.maxAbsDiff[key] ?? 0, Number.isNaN(max) ? Infinity : max);
    return max;
  }

  report(): Report {
    return {
      reference: this.reference,
      passed: this.mismatches === 0,
      compared: this.compared,
      mismatches: this.mismatches,
      maxAbsDiff: this.maxAbsDiff,
      ...(this.first ? { first: this.first } : {}),
    };
  }
}

/** One line naming what differs, for a failed verification. */
export function verifyFailure(split: string, v: Report): string {
  const f = v.first;
  if (!f) return `verify failed at ${split}`;
  const what =
    f.cloud === null
      ? 'a different number of values'
      : `${f.cloud} where the ${v.reference === 'whole' ? 'whole network' : 'cloud half run here'} gives ${f.reference}`;
  return `verify failed at ${split}: task '${f.task}', output '${f.output}', sample ${f.sample}, element ${f.element}: the cloud answered ${what} (tolerance ${f.tolerance}; ${v.mismatches} of ${v.compared} elements differ)`;
}
