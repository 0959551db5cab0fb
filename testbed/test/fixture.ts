import { predictLatency, errorPct, winners } from '../src/analytic.js';
import { profileReferenceMs, type Profile } from '../src/profiles.js';
import { packSamples, type BaselineEntry, type Cell, type Results, type Timings } from '../src/results.js';

const PROFILES: Profile[] = [
  { name: 'fast', description: 'fast link', upKBps: 5000, downKBps: 12500, latencyMs: 10, jitterMs: 2, source: 'synthetic test figures' },
  { name: 'slow', description: 'slow link', upKBps: 6, downKBps: 6, latencyMs: 300, jitterMs: 40, source: 'synthetic test figures' },
];
const BASE_SPLITS = ['input', 'block1', 'features'];
export const SPLITS = BASE_SPLITS;
const BASE_PAYLOAD: Record<string, number> = { input: 1296, block1: 10368, features: 64 };
const BASE_EDGE: Record<string, number> = { input: 0.1, block1: 6, features: 12 };

function timings(edge: number, network: number, cloud: number): Timings {
  const total = edge + 0.2 + network + cloud + 0.1;
  return { edge, encode: 0.2, network, cloud, decode: 0.1, total, totalMean: total, totalP95: total * 1.1 };
}

/** `n` per-request totals spread +-5% around `median` (deterministic), packed as results.json keeps them. */
export function samplesAround(median: number, n: number): string {
  return packSamples(Array.from({ length: n }, (_, i) => median * (0.95 + (0.1 * ((i * 7) % n)) / (n - 1))));
}

/** A results object shaped like a real run: 'input' wins on the fast link, 'features' on the slow one. */
export function syntheticResults(opts: { stl?: boolean; splits?: string[] } = {}): Results {
  const codecs = ['f32', 'int8'];
  const SPLITS = opts.splits ?? BASE_SPLITS;
  // other split names: bytes shrinking and edge time growing along the network, as in a real one
  const PAYLOAD = opts.splits ? Object.fromEntries(SPLITS.map((s, i) => [s, Math.round(20_000 / (i + 1))])) : BASE_PAYLOAD;
  const EDGE = opts.splits ? Object.fromEntries(SPLITS.map((s, i) => [s, 0.1 + (i * 11) / SPLITS.length])) : BASE_EDGE;
  const baseline: BaselineEntry[] = [];
  const cells: Cell[] = [];
  for (const codec of codecs) {
    const div = codec === 'int8' ? 4 : 1;
    for (const split of SPLITS) {
      const payload = split === 'input' ? PAYLOAD[split]! : PAYLOAD[split]! / div;
      baseline.push({
        bundle: 'multimnist-resnet',
        codec,
        split,
        samples: 100,
        accuracy: { left: 0.95 - (div - 1) * 0.01, right: 0.93 },
        timings: timings(EDGE[split]!, 0.8, 12 - EDGE[split]!),
        payloadBytes: payload,
        wireBytesUp: payload + 60,
        wireBytesDown: 130,
        metrics: { left: { accuracy: 0.95 - (div - 1) * 0.01 }, right: { accuracy: 0.93 } },
      });
      for (const variant of opts.stl ? (['mtl', 'stl'] as const) : (['mtl'] as const)) {
        const k = variant === 'stl' ? 2 : 1;
        for (const p of PROFILES) {
          const wire = { up: (payload + 60) * k, down: 130 * k };
          const link = { upKBps: p.upKBps, downKBps: p.downKBps, latencyMs: p.latencyMs, jitterMs: p.jitterMs };
          const t0 = timings(EDGE[split]! * k, 0, ((12 - EDGE[split]!) / 4) * k);
          const pred = predictLatency(t0, wire, 0.8 * k, link);
          const network = pred.totalMs - pred.computeMs;
          const t = timings(EDGE[split]! * k, network * 1.03, ((12 - EDGE[split]!) / 4) * k);
          cells.push({
            variant,
            bundle: variant === 'stl' ? 'left+right' : 'multimnist-resnet',
            profile: p.name,
            codec,
            split,
            repetition: 0,
            samples: 10,
            failed: 0,
            accuracy: { left: 0.95, right: 0.93 },
            timings: t,
            payloadBytes: payload * k,
            wireBytesUp: wire.up,
            wireBytesDown: wire.down,
            transmissions: k,
            configured: link,
            measuredLink: { rttMs: p.latencyMs + 0.4, upKBps: p.upKBps * 0.98, downKBps: p.downKBps * 0.97, probeBytes: 4000 },
            predicted: pred,
            errorPct: errorPct(t.total, pred.totalMs),
            requestsMs: samplesAround(t.total, 10),
          });
        }
      }
    }
  }
  return {
    complete: true,
    scenario: {
      name: 'synthetic',
      file: 'test',
      description: 'synthetic results for report tests',
      model: 'models/multimnist-resnet',
      stl: opts.stl ? ['models/a', 'models/b'] : [],
      codecs,
      samples: 10,
      repetitions: 1,
    },
    startedAt: new Date(0).toISOString(),
    finishedAt: new Date(1000).toISOString(),
    durationSec: 1,
    environment: { node: process.version, platform: process.platform, cpus: 2, toxiproxy: 'embedded' },
    splits: SPLITS,
    tasks: ['left', 'right'],
    profiles: PROFILES.map((p) => ({ ...p, referenceMs: profileReferenceMs(p) })),
    baseline,
    cells,
    winners: winners(cells, SPLITS),
    maxAbsErrorPct: Math.max(...cells.map((c) => Math.abs(c.errorPct))),
    warnings: [],
  };
}
