/** What every plot of the report shares: the schema, the order of profiles and split points, cells over repetitions. */
import { mean } from '@mtl-split/stats';
import type { TopLevelSpec } from 'vega-lite';
import { packSamples, unpackSamples, type Cell, type Results } from '../results.js';
import type { VegaPatch } from './render.js';
import { splitLabels } from './split-labels.js';

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Profiles ordered fastest -> slowest. */
export function profileOrder(r: Results): string[] {
  return [...r.profiles].sort((a, b) => a.referenceMs - b.referenceMs).map((p) => p.name);
}

/** Cells averaged over repetitions, keyed by variant/profile/codec/split. */
export function averagedCells(cells: Cell[]): Cell[] {
  const groups = new Map<string, Cell[]>();
  for (const c of cells) {
    const k = [c.variant, c.profile, c.codec, c.split].join('\u0000');
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  return [...groups.values()].map((g) => {
    const c = g[0]!;
    if (g.length === 1) return c;
    const t = (f: keyof Cell['timings']): number => mean(g.map((x) => x.timings[f]));
    return {
      ...c,
      repetition: -1,
      samples: g.reduce((a, x) => a + x.samples, 0),
      timings: {
        edge: t('edge'),
        encode: t('encode'),
        network: t('network'),
        cloud: t('cloud'),
        decode: t('decode'),
        total: t('total'),
        totalMean: t('totalMean'),
        totalP95: t('totalP95'),
      },
      predicted: { ...c.predicted, totalMs: mean(g.map((x) => x.predicted.totalMs)) },
      errorPct: mean(g.map((x) => x.errorPct)),
      // every repetition's requests together (only when each has them)
      requestsMs: g.every((x) => x.requestsMs) ? packSamples(g.flatMap((x) => unpackSamples(x.requestsMs!))) : undefined,
    };
  });
}

/** Split points as the charts name them (short labels, see split-labels.ts), in the results' order. */
export function chartSplits(r: Results): { label: (split: string) => string; order: string[] } {
  const names = splitLabels(r.splits);
  const label = (split: string): string => names.get(split) ?? split;
  return { label, order: r.splits.map(label) };
}

/** An x axis of split points: labels at an angle, never cut (they are short, see chartSplits). */
export const SPLIT_AXIS = { labelAngle: -45, labelLimit: 0 };

export interface PlotSpec {
  file: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
  /** Applied to the compiled Vega spec before rendering. */
  patch?: VegaPatch;
}
