import { ModelError } from '../errors.js';
import type { EdgeRunner, HeadsRunner, SplitNetwork, TensorData } from './types.js';

/**
 * Device emulation: a network whose every half runs `slowdown` times longer than on this machine.
 *
 * Each call of a runner is measured on this machine (t) and then waits out the difference, (slowdown - 1) x t,
 * before it answers, so the caller (the edge's timers, the cloud's batcher and queue) really sees device time.
 * The assumption is one scale factor per device for every operator and tensor size: a device profile's
 * factor comes from a published benchmark, and a device whose speed ratio differs by operator class
 * (depthwise against dense convolutions, say) is approximated by that one figure. Only slowing down can be
 * emulated, so the factor is at least 1.
 */

/** Largest factor accepted (a microcontroller-class device is a few hundred times slower). */
export const MAX_SLOWDOWN = 10_000;

/** Environment variable a program can set instead of passing `slowdown` (read by `openNetwork`). */
export const SLOWDOWN_ENV = 'MTL_SPLIT_DEVICE_SLOWDOWN';

/** Checks a slowdown factor; throws a ModelError naming `what` and the valid range. */
export function checkSlowdown(value: number, what = 'slowdown'): number {
  if (!Number.isFinite(value) || value < 1 || value > MAX_SLOWDOWN) {
    throw new ModelError(`invalid ${what} ${String(value)}: expected a number from 1 (this machine) to ${MAX_SLOWDOWN} (the emulation can only make compute slower)`);
  }
  return value;
}

/** The slowdown that `SLOWDOWN_ENV` asks for (1 when unset or empty); a bad value is a ModelError. */
export function slowdownFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[SLOWDOWN_ENV]?.trim();
  if (!raw) return 1;
  return checkSlowdown(Number(raw), `${SLOWDOWN_ENV}=${raw}`);
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

/** Runs `f` and stretches its duration to `slowdown` x what it took. */
async function stretched<T>(slowdown: number, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await f();
  const took = performance.now() - t0;
  await waitUntil(t0 + took * slowdown);
  return out;
}

/** Describes a factor for backend lines: 'device x4 (emulated)'. */
export function deviceLabel(slowdown: number): string {
  return `device x${Number(slowdown.toPrecision(4))} (emulated)`;
}

/**
 * Wraps a network so each run of its edge, cloud and whole runners takes `slowdown` times as long as here.
 * A factor of 1 returns the network itself. The backend line gains ', device xK (emulated)'.
 */
export function withDevice(net: SplitNetwork, slowdown: number): SplitNetwork {
  const k = checkSlowdown(slowdown);
  if (k === 1) return net;
  const edge = (r: EdgeRunner): EdgeRunner => ({ point: r.point, run: (x: TensorData) => stretched(k, () => r.run(x)) });
  const heads = (r: HeadsRunner): HeadsRunner => ({ point: r.point, run: (h: TensorData) => stretched(k, () => r.run(h)) });
  return {
    id: net.id,
    engine: net.engine,
    backend: `${net.backend}, ${deviceLabel(k)}`,
    tasks: net.tasks,
    input: net.input,
    splitPoints: net.splitPoints,
    point: (name) => net.point(name),
    edgeRunner: async (point) => edge(await net.edgeRunner(point)),
    cloudRunner: async (point) => heads(await net.cloudRunner(point)),
    wholeRunner: async () => heads(await net.wholeRunner()),
    close: () => net.close(),
  };
}
