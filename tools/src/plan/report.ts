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
 * Markdown table for one link: a row per split point, codec and answer variant, then the edge-only row.
 * edge = edge compute + encode; up and down = bytes / bandwidth; RTT = the link's round trip (+ overhead);
 * cloud = decode + cloud compute.
 */
export function formatLinkTable(link: Link, plans: LinkPlan[]): string {
  const head = ['split', 'codec', 'answer', 'up B', 'down B', 'edge ms', 'up ms', 'RTT ms', 'down ms', 'cloud ms', 'total ms', ''];
  const lines = [
    `Link ${describeLink(link)}`,
    '',
    `| ${head.join(' | ')} |`,
    `|---|---|---|${head
      .slice(3, -1)
      .map(() => '---:')
      .join('|')}|---|`,
  ];
  for (const p of plans) {
    for (const r of p.rows) {
      if (r.split === EDGE_ONLY) continue;
      const mark = p.best === r.split ? 'best' : '';
      const cells = [r.split, p.codec, p.answer, String(r.upBytes), String(r.downBytes), ms(r.edgeMs + r.encodeMs), ms(r.upMs)];
      lines.push(
        `| ${[...cells, ms(r.latencyMs + (r.overheadMs ?? 0)), ms(r.downMs), ms(r.decodeMs + r.cloudMs), ms(r.totalMs), mark].join(' | ')} |`,
      );
    }
  }
  const e = plans[0].rows.find((r) => r.split === EDGE_ONLY)!;
  const eb = plans.filter((p) => p.best === EDGE_ONLY).map((p) => `${p.codec}, ${p.answer}`);
  const best = eb.length ? `best (${eb.join('; ')})` : '';
  lines.push(`| ${[EDGE_ONLY, '–', '–', '0', '0', ms(e.edgeMs), '0.00', '0.00', '0.00', '0.00', ms(e.totalMs), best].join(' | ')} |`);
  return lines.join('\n');
}

/** `best split for <link> (<codec>, answer <variant>): <point>, <total> ms (<x>x faster than cloud-only, <y>x than edge-only)` */
export function bestLine(p: LinkPlan): string {
  return `best split for ${p.link} (${p.codec}, answer ${p.answer}): ${p.best}, ${ms(p.bestMs)} ms (${times(p.speedupVsCloudOnly)} faster than cloud-only, ${times(p.speedupVsEdgeOnly)} than edge-only)`;
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
  /** Timed runs per figure (median) and warm-up runs before them. */
  warmup: number;
  /** The answer variants: label and the request (tasks, answer codecs); rows' down bytes are their measured wire bytes. */
  answers: Measurement['answers'];
  links: Link[];
  codecs: string[];
  measurement: Measurement;
  predictions: LinkPlan[];
  best: {
    link: string;
    codec: string;
    answer: string;
    split: string;
    totalMs: number;
    speedupVsCloudOnly: number | null;
    speedupVsEdgeOnly: number;
  }[];
}

export function bestSummary(plans: LinkPlan[]): PlanReport['best'] {
  return plans.map((p) => ({
    link: p.link,
    codec: p.codec,
    answer: p.answer,
    split: p.best,
    totalMs: p.bestMs,
    speedupVsCloudOnly: p.speedupVsCloudOnly,
    speedupVsEdgeOnly: p.speedupVsEdgeOnly,
  }));
}

/** Writes a file atomically (a temporary sibling, then rename); the folder must exist. */
export { writeAtomic } from '@mtl-split/cli';
