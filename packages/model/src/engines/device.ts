import { ModelError } from '../errors.js';
import { machineKey, storeCost, storedCost } from './device-costs.js';
import type { EdgeRunner, HeadsRunner, SplitNetwork, TensorData } from './types.js';

/**
 * Device emulation: a network whose every half runs `slowdown` times longer than on this machine.
 *
 * Each call of a runner runs on this machine and then waits until slowdown x c has passed since it started,
 * c being this machine's cost of that runner and batch size: its warm steady-state time (the median of
 * back-to-back runs after warm-up runs, `steadyTime`), measured at its first call and kept for the process
 * (`hostCost`), so the caller (the edge's timers, the cloud's batcher and queue) really sees device time, and
 * the same device time in every call and every run: not the load of the moment (the first version took the
 * fastest of recent runs, and the same network's device time moved from 22.7 ms to 14.3 ms between two runs).
 * `plan` predicts with the same figure (steadyTime of each half, times the factor).
 * The assumption is one scale factor per device for every operator and tensor size: a device profile's
 * factor comes from a published benchmark, and a device whose speed ratio differs by operator class
 * (depthwise against dense convolutions, say) is approximated by that one figure. Only slowing down can be
 * emulated, so the factor is at least 1.
 */

/** Largest factor accepted (a microcontroller-class device is a few hundred times slower). */
export const MAX_SLOWDOWN = 10_000;

/** Checks a slowdown factor; throws a ModelError naming `what` and the valid range. */
export function checkSlowdown(value: number, what = 'slowdown'): number {
  if (!Number.isFinite(value) || value < 1 || value > MAX_SLOWDOWN) {
    throw new ModelError(
      `invalid ${what} ${String(value)}: expected a number from 1 (this machine) to ${MAX_SLOWDOWN} (the emulation can only make compute slower)`,
    );
  }
  return value;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `performance.now()` reaches `until`: a timer for all but the last 1.5 ms, then a short spin
 * (timers fire up to a millisecond late; a spin of at most ~1.5 ms per call keeps device times accurate to
 * a fraction of a millisecond without holding a core for the whole wait).
 */
export async function waitUntil(until: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const left = until - performance.now();
    if (left <= 1.5) break;
    await sleep(left - 1.5);
  }
  while (performance.now() < until) {
    /* spin the last fraction of a millisecond */
  }
}

/** Untimed runs before a steady-state measurement (sessions, allocations, JIT, caches). */
export const STEADY_WARMUP = 5;
/**
 * Timed back-to-back runs of a steady-state measurement: at least STEADY_RUNS and for at least STEADY_MIN_MS
 * (a median over a window of a few hundred ms is not moved by one time slice of another process, as one of
 * 31 runs of 0.2 ms is), at most STEADY_MAX_RUNS; a run past STEADY_BUDGET_MS stops at STEADY_MIN_RUNS.
 */
export const STEADY_RUNS = 31;
export const STEADY_MIN_MS = 250;
export const STEADY_MAX_RUNS = 5000;
export const STEADY_MIN_RUNS = 5;
/** Wall-time budget of the timed runs, ms. */
export const STEADY_BUDGET_MS = 3000;

/** A steady-state measurement: every timed run (ms, in order) and their median. */
export interface SteadyTime {
  ms: number;
  runs: number[];
}

/** The median of a few numbers (the middle one, or the mean of the two middle ones). */
function middle(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * This machine's warm steady-state time of `run`: `warmup` untimed runs, then back-to-back timed runs (at
 * least `runs` and `minMs` of them, fewer when `budgetMs` is spent, at least STEADY_MIN_RUNS), their median. What `plan` reports
 * for each half and what the device emulation scales: one figure for both.
 */
export async function steadyTime(
  run: () => Promise<unknown>,
  o: { warmup?: number; runs?: number; minMs?: number; budgetMs?: number } = {},
): Promise<SteadyTime> {
  for (let i = 0; i < (o.warmup ?? STEADY_WARMUP); i++) await run();
  const runs: number[] = [];
  const start = performance.now();
  const [least, minMs, budget] = [o.runs ?? STEADY_RUNS, o.minMs ?? STEADY_MIN_MS, o.budgetMs ?? STEADY_BUDGET_MS];
  for (;;) {
    const elapsed = performance.now() - start;
    const enough = runs.length >= least && elapsed >= minMs;
    const spent = elapsed >= budget && runs.length >= Math.min(least, STEADY_MIN_RUNS);
    if (enough || spent || runs.length >= STEADY_MAX_RUNS) break;
    const t0 = performance.now();
    await run();
    runs.push(performance.now() - t0);
  }
  return { ms: middle(runs), runs };
}

/**
 * Each runner's cost on this machine, per network, engine set-up, half, split point and batch size: measured
 * once (steadyTime on the first call's input) and kept, in the process and in the costs file
 * (device-costs.ts), so the device time of a half is this cost x the device's factor in every call and every
 * run, whatever the load of the moment or the idle waits the emulation itself causes (a run right after an
 * idle wait pays the core's and caches' wake-up: the committed MultiMNIST network takes 0.22 ms in a tight
 * loop and 0.58-0.72 ms after each 50 ms sleep).
 */
const costs = new Map<string, Promise<number>>();

/** The cost (ms) of one runner at one batch size: stored, else measured now (and stored when `persist`). */
export function hostCost(key: string, rerun: () => Promise<unknown>, persist = true): Promise<number> {
  let c = costs.get(key);
  if (!c) {
    const full = `${machineKey()}\u0000${key}`;
    const stored = persist ? storedCost(full) : undefined;
    c =
      stored === undefined
        ? steadyTime(rerun).then((t) => {
            if (persist) storeCost(full, t.ms);
            return t.ms;
          })
        : Promise.resolve(stored);
    costs.set(key, c);
    c.catch(() => costs.get(key) === c && costs.delete(key));
  }
  return c;
}

/** Runs `f` and stretches it to `slowdown` x this runner's cost from its start (at least what it took). */
async function stretched<T>(slowdown: number, key: string, persist: boolean, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await f();
  await waitUntil(t0 + (await hostCost(key, f, persist)) * slowdown);
  return out;
}

/** Describes a factor for backend lines: 'device x4 (emulated)'. */
export function deviceLabel(slowdown: number): string {
  return `device x${Number(slowdown.toPrecision(4))} (emulated)`;
}

/**
 * Wraps a network so each run of its edge, cloud and whole runners takes `slowdown` times its cost here
 * (hostCost; `identity` tells builds of one bundle id apart, e.g. folder and creation time, and only a network
 * with one has its costs kept in the costs file: without, per process). A factor of 1 returns the network itself. The backend line gains ', device xK (emulated)'.
 */
export function withDevice(net: SplitNetwork, slowdown: number, identity = ''): SplitNetwork {
  const k = checkSlowdown(slowdown);
  if (k === 1) return net;
  // one cost per network (its identity: bundle folder and build), engine set-up, half, split point and batch size
  const keyOf = (half: string, point: string, batch: number): string => [net.id, identity, net.backend, half, point, batch].join('\u0000');
  const keep = identity !== '';
  const edge = (r: EdgeRunner): EdgeRunner => ({
    point: r.point,
    run: (x: TensorData) => stretched(k, keyOf('edge', r.point, x.shape[0] ?? 1), keep, () => r.run(x)),
    runAll: (xs: TensorData[]) => stretched(k, keyOf('edge', r.point, xs[0]?.shape[0] ?? 1), keep, () => r.runAll(xs)),
  });
  const heads = (half: string, r: HeadsRunner): HeadsRunner => ({
    point: r.point,
    run: (h: TensorData) => stretched(k, keyOf(half, r.point, h.shape[0] ?? 1), keep, () => r.run(h)),
    runAll: (hs: TensorData[]) => stretched(k, keyOf(half, r.point, hs[0]?.shape[0] ?? 1), keep, () => r.runAll(hs)),
  });
  return {
    id: net.id,
    engine: net.engine,
    backend: `${net.backend}, ${deviceLabel(k)}`,
    tasks: net.tasks,
    input: net.input,
    inputs: net.inputs,
    splitPoints: net.splitPoints,
    pointTensors: (point) => net.pointTensors(point),
    point: (name) => net.point(name),
    edgeRunner: async (point) => edge(await net.edgeRunner(point)),
    cloudRunner: async (point) => heads('cloud', await net.cloudRunner(point)),
    wholeRunner: async () => heads('whole', await net.wholeRunner()),
    close: () => net.close(),
  };
}
