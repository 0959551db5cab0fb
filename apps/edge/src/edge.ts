import { CODECS, COMPRESSIONS } from '@mtl-split/codec';
import { openNetwork, readManifest, type Manifest, type SplitNetwork } from '@mtl-split/model/infer';
import { ALL, AUTO, CLOUD_ONLY, EDGE_ONLY, INPUT_POINT, SPLIT_CHOICES } from '@mtl-split/stats';
import type { ClientSecurity } from '@mtl-split/transport';
import type { TraceRecord } from './result.js';
import type { EdgeAnswer } from './edge-client.js';
import type { SampleSource } from './samples.js';
import type { AutoSwitch } from './auto-split.js';
import { EdgeError, asEdgeError } from './edge-error.js';
import { connectCloud, sampleSource } from './prepare.js';
import { sampleCount } from './samples.js';
import { answerProblems } from './answers/check.js';
import { runSplit, type Counts, type EdgeContext, type SplitRunOptions } from './run.js';
import { parseEdgeSpec, type EdgeResult, type EdgeRunInput, type EdgeRunSpec } from './spec.js';

export { EdgeError } from './edge-error.js';

/** What travels beside a run's settings: credentials and the Ctrl-C signal (neither is JSON). */
export interface EdgeExtras {
  /** TLS material and bearer token for the cloud (--tls-ca, --tls-cert, --tls-key, --auth-token-file). */
  security?: ClientSecurity;
  /** Ctrl-C: stop sending; the runs so far are returned, the last one marked interrupted. */
  signal?: AbortSignal;
}

/** The library's options: the run settings of spec.ts (those with a default may be left out), and the extras. */
export type EdgeOptions = EdgeRunInput & EdgeExtras;
/** A run's settings with every default applied, and the extras. */
export type EdgeRun = EdgeRunSpec & EdgeExtras;

export interface EdgeHooks {
  /** Called once the bundle is open, with the engine that runs it. */
  onEngine?: (engine: string, backend: string) => void;
  /** Called before each split point run. */
  onSplitStart?: (split: string, total: number) => void;
  /** After each request, with how the requests so far ended. */
  onProgress?: (done: number, counts: Counts) => void;
  onSplitEnd?: (result: EdgeResult) => void;
  /** Something the user should know that does not stop the run. */
  onWarning?: (message: string) => void;
  /** Every change of the circuit breaker (closed, open, half-open) with its cause. */
  onBreaker?: (split: string, from: string, to: string, cause: string) => void;
  /** `--split auto` moved to another candidate. */
  onSwitch?: (s: AutoSwitch) => void;
  /** An answer or Describe of a replica refused: another bundle or split point (every refusal). */
  onWrongModel?: (reason: string) => void;
  /** Every request as it ends (`--trace`). */
  onRequest?: (r: TraceRecord) => void;
  /** Every answer, with its sample's index and the split point run (`--json`'s map files). */
  onAnswer?: (split: string, index: number, a: EdgeAnswer) => void;
  /** The samples of the run, once prepared. */
  onSource?: (source: SampleSource) => void;
}

/** Split points to run for a --split value. */
export function resolveSplits(
  value: string,
  bundle: { id: string; splitPoints: readonly { name: string; candidate?: boolean }[] },
): string[] {
  const points = bundle.splitPoints.map((p) => p.name);
  // 'all' sweeps the candidates (every point of our bundles; those marked with --points at import)
  if (value === ALL) return bundle.splitPoints.filter((p) => p.candidate !== false).map((p) => p.name);
  if (value === AUTO || value === EDGE_ONLY) return [value];
  if (value === CLOUD_ONLY) return [INPUT_POINT];
  if (!points.includes(value)) {
    throw new EdgeError(`unknown split point '${value}' of model '${bundle.id}': valid are ${[...points, ...SPLIT_CHOICES].join(', ')}`);
  }
  return [value];
}

/** The settings of `opts` checked (one line naming what is wrong) with their defaults applied. */
function runOf(opts: EdgeOptions): EdgeRun {
  let spec: EdgeRunSpec;
  try {
    spec = parseEdgeSpec(opts);
  } catch (err) {
    throw asEdgeError(err);
  }
  if (!CODECS.includes(spec.codec as (typeof CODECS)[number]))
    throw new EdgeError(`unknown codec '${spec.codec}': valid are ${CODECS.join(', ')}`);
  if (!COMPRESSIONS.includes(spec.compress as (typeof COMPRESSIONS)[number])) {
    throw new EdgeError(`unknown compression '${spec.compress}': valid are ${COMPRESSIONS.join(', ')}`);
  }
  return { ...spec, ...(opts.security ? { security: opts.security } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
}

/** Opens the bundle on its engine and emulated device; a failure is an EdgeError with one line. */
export async function openBundle(
  o: Pick<EdgeRunSpec, 'model' | 'runtime' | 'threads' | 'backend' | 'deviceSlowdown'>,
): Promise<{ manifest: Manifest; net: SplitNetwork }> {
  try {
    const manifest = readManifest(o.model);
    const net = await openNetwork(o.model, { runtime: o.runtime, threads: o.threads, backend: o.backend, slowdown: o.deviceSlowdown });
    return { manifest, net };
  } catch (err) {
    throw asEdgeError(err);
  }
}

/**
 * The edge app: load the bundle and dataset, connect to the cloud (checking it serves the same bundle,
 * the split points and the codec), then run each split point in turn.
 */
export async function runEdge(opts: EdgeOptions, hooks: EdgeHooks = {}): Promise<EdgeResult[]> {
  const run = runOf(opts);
  const { manifest, net } = await openBundle(run);
  hooks.onEngine?.(net.engine, net.backend);
  try {
    return await runSplits(net, manifest, run, resolveSplits(run.split, net), hooks);
  } finally {
    await net.close();
  }
}

/**
 * Runs `splits` in turn on an open bundle (the CLI's `runEdge` and the worker): the samples and the
 * cloud's replicas prepared once (prepare.ts), then one `runSplit` per split point.
 */
export async function runSplits(
  net: SplitNetwork,
  manifest: Manifest,
  run: EdgeRun,
  splits: readonly string[],
  hooks: EdgeHooks = {},
): Promise<EdgeResult[]> {
  const problems = answerProblems(net.tasks, run);
  if (problems.length) throw new EdgeError(problems.join('; '));
  const source = await sampleSource(run, manifest, net);
  const n = sampleCount(source, run.n);
  // one channel per replica, each checked on its own (Describe on every connection, every answer stamped);
  // auto may use every candidate point
  const remote = splits.some((s) => s !== EDGE_ONLY);
  const used = (splits.includes(AUTO) ? resolveSplits(ALL, net) : splits).filter((s) => s !== EDGE_ONLY);
  const replicas = remote ? await connectCloud(run, net, used, hooks.onWarning) : [];
  try {
    const ctx: EdgeContext = { net, source, client: replicas[0], replicas, busyPoll: run.busyPoll, verify: run.verify };
    hooks.onSource?.(source);
    const results: EdgeResult[] = [];
    for (const point of splits) {
      if (run.signal?.aborted) break;
      hooks.onSplitStart?.(point, n);
      const r = await runSplit(ctx, splitRun(run, point, n, hooks));
      hooks.onSplitEnd?.(r);
      results.push(r);
    }
    return results;
  } finally {
    for (const r of replicas) r.close();
  }
}

/** One split point's run: every setting of the run, its point and sample count, and the hooks. */
function splitRun(run: EdgeRun, point: string, n: number, hooks: EdgeHooks): SplitRunOptions {
  return {
    ...run,
    point,
    n,
    onProgress: hooks.onProgress,
    onRequest: hooks.onRequest,
    ...(hooks.onAnswer ? { onAnswer: (index: number, a: EdgeAnswer) => hooks.onAnswer?.(point, index, a) } : {}),
    events: {
      onBreaker: (from, to, cause) => hooks.onBreaker?.(point, from, to, cause),
      onSwitch: hooks.onSwitch,
      onWrongModel: hooks.onWrongModel,
    },
  };
}
