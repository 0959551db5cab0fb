import type { Measurement } from './measure.js';
import type { Device, Link } from './options.js';
import { EDGE_ONLY, type LinkPlan } from './predict.js';

const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const times = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(2)}x`);

/** The one stderr line saying which edge device a plan assumed when none was named. */
export function assumedDeviceLine(d: Device): string {
  return `plan: no --edge-device given: assuming ${d.name} (${d.description}; compute x${d.slowdown}, emulated); --edge-device this-machine plans for this machine as the edge`;
}

function describeLink(l: Link): string {
  return `${l.name}: up ${l.upKBps} KB/s, down ${l.downKBps} KB/s, RTT ${l.latencyMs} ms${l.jitterMs ? ` (jitter ${l.jitterMs} ms, averages out)` : ''}`;
}

/**
 * Markdown table for one link: a row per split point and codec, then the edge-only row.
 * edge = edge compute + encode; transfer = up + round-trip latency + down; cloud = decode + cloud compute.
 */
export function formatLinkTable(link: Link, plans: LinkPlan[]): string {
  const head = ['split', 'codec', 'bytes', 'edge ms', 'transfer ms', 'cloud ms', 'total ms', ''];
  const lines = [
    `Link ${describeLink(link)}`,
    '',
    `| ${head.join(' | ')} |`,
    `|---|---|${head
      .slice(2, -1)
      .map(() => '---:')
      .join('|')}|---|`,
  ];
  const bestFor = (split: string) => plans.filter((p) => p.best === split).map((p) => p.codec);
  for (const p of plans) {
    for (const r of p.rows) {
      if (r.split === EDGE_ONLY) continue;
      const mark = p.best === r.split ? `best (${p.codec})` : '';
      lines.push(
        `| ${[r.split, p.codec, String(r.upBytes), ms(r.edgeMs + r.encodeMs), ms(r.upMs + r.latencyMs + r.downMs), ms(r.decodeMs + r.cloudMs), ms(r.totalMs), mark].join(' | ')} |`,
      );
    }
  }
  const e = plans[0].rows.find((r) => r.split === EDGE_ONLY)!;
  const eb = bestFor(EDGE_ONLY);
  lines.push(
    `| ${[EDGE_ONLY, '–', '0', ms(e.edgeMs), '0.00', '0.00', ms(e.totalMs), eb.length ? `best (${eb.join(', ')})` : ''].join(' | ')} |`,
  );
  return lines.join('\n');
}

/** `best split for <link> (<codec>): <point>, <total> ms (<x>x faster than cloud-only, <y>x than edge-only)` */
export function bestLine(p: LinkPlan): string {
  return `best split for ${p.link} (${p.codec}): ${p.best}, ${ms(p.bestMs)} ms (${times(p.speedupVsCloudOnly)} faster than cloud-only, ${times(p.speedupVsEdgeOnly)} than edge-only)`;
}

export interface PlanReport {
  tool: 'plan';
  model: { id: string; dir: string; createdAt: string; dataset: { name: string; options: Record<string, unknown> } | null };
  /** Engine that measured the compute (onnx, tfjs) and its backend. */
  engine: string;
  backend: string;
  measuredAt: string;
  /** The input timed: the first test sample, or a seeded random one (bundles without a dataset). */
  sample: { split: 'test'; index: 0 } | { random: string; seed: number };
  repeats: number;
  compress: string;
  edgeSlowdown: number;
  cloudSpeedup: number;
  /** Device profiles the prediction scales compute by. */
  edgeDevice: { name: string; slowdown: number; benchmark: string; source: string };
  cloudDevice: { name: string; slowdown: number; benchmark: string; source: string };
  answerBytes: number;
  links: Link[];
  codecs: string[];
  measurement: Measurement;
  predictions: LinkPlan[];
  best: { link: string; codec: string; split: string; totalMs: number; speedupVsCloudOnly: number | null; speedupVsEdgeOnly: number }[];
}

export function bestSummary(plans: LinkPlan[]): PlanReport['best'] {
  return plans.map((p) => ({
    link: p.link,
    codec: p.codec,
    split: p.best,
    totalMs: p.bestMs,
    speedupVsCloudOnly: p.speedupVsCloudOnly,
    speedupVsEdgeOnly: p.speedupVsEdgeOnly,
  }));
}

/** Writes a file atomically (a temporary sibling, then rename); the folder must exist. */
export { writeAtomic } from '@mtl-split/cli';
