import type { Block } from './blocks.js';
import type { Shape } from './layers.js';
import type { MtlModel, SplitPointInfo } from './types.js';

const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);

/** Split-point table of a network: point i sends the output of blocks[0..i) to the cloud. */
export function computeSplitPoints(inputShape: Shape, blocks: Block[], heads: { params: number; flops: number }[]): SplitPointInfo[] {
  const headParams = heads.reduce((a, h) => a + h.params, 0);
  const headFlops = heads.reduce((a, h) => a + h.flops, 0);
  const totalParams = blocks.reduce((a, b) => a + b.params, 0) + headParams;
  const totalFlops = blocks.reduce((a, b) => a + b.flops, 0) + headFlops;
  const points: SplitPointInfo[] = [];
  let edgeParams = 0;
  let edgeFlops = 0;
  for (let i = 0; i <= blocks.length; i++) {
    if (i > 0) {
      edgeParams += blocks[i - 1].params;
      edgeFlops += blocks[i - 1].flops;
    }
    const flow = i > 0 ? blocks[i - 1].flow : undefined;
    const shape = i === 0 ? [...inputShape] : [...(flow ? (flow.outShapes[0] as Shape) : blocks[i - 1].outShape)];
    // several tensors (skips beside a stage's output): listed in wire order, shape the first one's, bytes the sum
    const tensors =
      flow && flow.outShapes.length > 1
        ? flow.outShapes.map((s, k) => ({
            name: flow.outNames[k] as string,
            shape: [...s],
            dtype: 'float32' as const,
            layout: 'NHWC' as const,
          }))
        : undefined;
    points.push({
      name: i === 0 ? 'input' : blocks[i - 1].name,
      shape,
      bytesPerSample: (tensors ? tensors.reduce((a, t) => a + size(t.shape), 0) : size(shape)) * 4,
      ...(tensors ? { tensors } : {}),
      edgeParams,
      cloudParams: totalParams - edgeParams,
      edgeFlops,
      cloudFlops: totalFlops - edgeFlops,
    });
  }
  return points;
}

/** The split-point table of a model (per sample). */
export function splitTable(model: MtlModel): SplitPointInfo[] {
  return model.splitPoints.map((p) => ({ ...p, shape: [...p.shape] }));
}

function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** Formats a split table as aligned text (one row per split point). */
export function formatSplitTable(points: SplitPointInfo[]): string {
  const header = ['point', 'shape', 'bytes/sample', 'edge params', 'cloud params', 'edge FLOPs', 'cloud FLOPs'];
  const rows = points.map((p) => [
    p.name,
    p.shape.join('x'),
    String(p.bytesPerSample),
    human(p.edgeParams),
    human(p.cloudParams),
    human(p.edgeFlops),
    human(p.cloudFlops),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => r.map((v, c) => (c < 2 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
