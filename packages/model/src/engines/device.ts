import { ModelError } from '../errors.js';
import type { EdgeRunner, HeadsRunner, SplitNetwork, TensorData } from './types.js';

/**
 * Device emulation: a network whose every half runs `slowdown` times longer than on this machine.
 *
 * Each call of a runner is measured on this machine and then waits until slowdown x t has passed since it
 * started, t being this machine's compute for that runner and batch size (the fastest of its recent runs, see
 * HostTime), so the caller (the edge's timers, the cloud's batcher and queue) really sees device time.
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

/** Runs of one runner remembered per batch size to estimate its compute on this machine. */
export const DEVICE_WINDOW = 16;
/** Back-to-back calibration runs at the first call of a runner per batch size. */
export const CALIBRATION_RUNS = 3;

/**
 * This machine's compute time of one runner at one batch size: the fastest of calibration bursts (a few
 * back-to-back runs at its 1st, 4th and 16th call, then every 256th) and of its last DEVICE_WINDOW runs. A run right after an idle wait
 * (which the emulation itself causes) pays the core's and caches' wake-up, and a shared machine adds other
 * jobs' load: measured, the committed MultiMNIST network takes 0.22 ms in a tight loop and 0.58-0.72 ms after
 * each 50 ms sleep. Neither belongs to the device, and multiplied by its factor they would dominate.
 */
class HostTime {
  private readonly runs = new Map<number, number[]>();
  private readonly calls = new Map<number, number>();
  async estimate(batch: number, took: number, rerun: () => Promise<unknown>): Promise<number> {
    let r = this.runs.get(batch);
    if (!r) this.runs.set(batch, (r = []));
    const n = (this.calls.get(batch) ?? 0) + 1;
    this.calls.set(batch, n);
    // calibrate at the 1st, 4th and 16th call (the first runs are slow: allocations, JIT), then every 256th
    if (n === 1 || n === 4 || n === 16 || n % 256 === 0) {
      for (let i = 0; i < CALIBRATION_RUNS; i++) {
        const t0 = performance.now();
        await rerun();
        r.push(performance.now() - t0);
      }
    }
    r.push(took);
    if (r.length > DEVICE_WINDOW) r.shift();
    return Math.min(...r);
  }
}

/** Runs `f` and stretches it to `slowdown` x this machine's compute for it (at least what it took). */
async function stretched<T>(slowdown: number, host: HostTime, batch: number, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await f();
  const took = performance.now() - t0;
  const hostMs = await host.estimate(batch, took, f);
  await waitUntil(t0 + Math.max(performance.now() - t0, hostMs * slowdown));
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
  const edge = (r: EdgeRunner): EdgeRunner => {
    const host = new HostTime();
    return {
      point: r.point,
      run: (x: TensorData) => stretched(k, host, x.shape[0] ?? 1, () => r.run(x)),
      runAll: (xs: TensorData[]) => stretched(k, host, xs[0]?.shape[0] ?? 1, () => r.runAll(xs)),
    };
  };
  const heads = (r: HeadsRunner): HeadsRunner => {
    const host = new HostTime();
    return {
      point: r.point,
      run: (h: TensorData) => stretched(k, host, h.shape[0] ?? 1, () => r.run(h)),
      runAll: (hs: TensorData[]) => stretched(k, host, hs[0]?.shape[0] ?? 1, () => r.runAll(hs)),
    };
  };
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
    cloudRunner: async (point) => heads(await net.cloudRunner(point)),
    wholeRunner: async () => heads(await net.wholeRunner()),
    close: () => net.close(),
  };
}
