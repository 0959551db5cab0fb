/** Longest chart label; a longer one keeps its end (the most specific part) after an ellipsis. */
const MAX_LABEL = 24;

/**
 * The parts of an ONNX tensor name worth showing: "/backbone/backbone.5/backbone.5.1/relu_1/Relu_output_0"
 * becomes ["backbone.5.1", "relu_1"]: no output suffix, no module repeated by the next one with an index
 * ("backbone" before "backbone.5"), and no operation its module already names ("Relu" after "relu_1").
 */
function parts(name: string): string[] {
  const segs = name
    .replace(/^\/+/, '')
    .replace(/(_output)?_\d+$|:\d+$/, '')
    .split('/')
    .filter(Boolean);
  const p = segs.filter((s, i) => !(segs[i + 1] ?? '').startsWith(`${s}.`));
  const [module, op] = [p[p.length - 2], p[p.length - 1]];
  return module !== undefined && op !== undefined && module.toLowerCase().startsWith(op.toLowerCase()) ? p.slice(0, -1) : p;
}

/** Where a label starts: the last indexed module before the operation ("stem.0" in trunk/stem.0/Conv). */
function anchor(p: string[]): number {
  for (let i = p.length - 2; i >= 0; i--) if (/\.\d+$/.test(p[i]!)) return i;
  return Math.max(0, p.length - 2);
}

const clip = (label: string): string => (label.length <= MAX_LABEL ? label : `…${label.slice(label.length - MAX_LABEL + 1)}`);

/**
 * Short, unique chart labels for split point names. Names without "/" (input, block4, edge-only) stay as
 * they are; ONNX tensor names become module/operation ("stem.0/Conv", "backbone.5.1/relu_1", "Flatten"),
 * with outer modules added until they differ, at most 24 characters. The report's tables keep the raw names.
 */
export function splitLabels(splits: readonly string[]): Map<string, string> {
  const items = splits.map((raw) => {
    const p = raw.includes('/') ? parts(raw) : [];
    return { raw, p, from: p.length ? anchor(p) : 0 };
  });
  const label = (x: (typeof items)[number]): string => (x.p.length ? clip(x.p.slice(x.from).join('/')) : x.raw);
  for (let round = 0; round < 16; round++) {
    const count = new Map<string, number>();
    for (const x of items) count.set(label(x), (count.get(label(x)) ?? 0) + 1);
    const clashing = items.filter((x) => count.get(label(x))! > 1 && x.from > 0);
    if (!clashing.length) break;
    for (const x of clashing) x.from--;
  }
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const x of items) {
    let l = label(x);
    for (let k = 2; used.has(l); k++) l = `${label(x)} #${k}`; // equal even in full: numbered
    used.add(l);
    out.set(x.raw, l);
  }
  return out;
}
