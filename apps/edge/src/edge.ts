import { CODECS, COMPRESSIONS } from '@mtl-split/codec';
import { loadDataset, randomImages, readImageInputs, type Dataset } from '@mtl-split/data';
import { openNetwork, readManifest, type Manifest, type SplitNetwork } from '@mtl-split/model/infer';
import { ALL, AUTO, CLOUD_ONLY, EDGE_ONLY, INPUT_POINT, SPLIT_CHOICES } from '@mtl-split/stats';
import { parseTargets, SplitClient, TransportError, type ClientSecurity, type RemoteDescription } from '@mtl-split/transport';
import type { EdgeResult, TraceRecord } from './result.js';
import type { AutoSwitch } from './auto-split.js';
import { cloudUnreachable } from './cloud-link.js';
import { edgeChannel, replicaClients } from './edge-client.js';
import { neverReachable } from './misconfig.js';
import { runSplit, type Counts, type EdgeContext, type SampleSource } from './run.js';

export interface EdgeOptions {
  /** Bundle folder. */
  model: string;
  /** 'HOST:PORT[,HOST:PORT...]' (several: round robin); unused for edge-only. */
  cloud?: string;
  /** TLS material and bearer token for the cloud (--tls-ca, --tls-cert, --tls-key, --auth-token-file). */
  security?: ClientSecurity;
  /** A split point, 'all', 'auto', 'edge-only' or 'cloud-only' (= 'input'). */
  split: string;
  codec: string;
  compress: string;
  dataset: string;
  n: number;
  deadlineMs: number;
  concurrency: number;
  mode: 'unary' | 'stream';
  warmup: number;
  /** Retries after UNAVAILABLE (not processed by the server). */
  retries: number;
  /** Busy-poll while answers are awaited (lower latency, costs a core while waiting). */
  busyPoll?: boolean;
  /** tfjs backend (with runtime tfjs). */
  backend?: string;
  /** Engine: onnx or tfjs (default: onnx when the bundle has model.onnx). */
  runtime?: string;
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
  /** Also run the whole model locally and report the largest difference from the split answers. */
  verify?: boolean;
  /** Inputs instead of a dataset: 'random' (seeded) or a folder of PNG/JPEG files. */
  inputs?: string;
  /** When the cloud cannot answer in time: 'local' (default; the edge holds the whole network) or 'none'. */
  fallback?: 'local' | 'none';
  /** Ctrl-C: stop sending; the runs so far are returned, the last one marked interrupted. */
  signal?: AbortSignal;
  /** Per split point run: stop taking new samples after this many seconds (the run ends normally). */
  durationS?: number;
  /** Requests started per second at most. */
  ratePerS?: number;
  /** With local fallback: answer locally after max(250 ms, 4 x recent p99) (default true; hedge.ts). */
  hedge?: boolean;
}

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
}

/** Error with a one-line message for the CLI. */
export class EdgeError extends Error {
  override name = 'EdgeError';
}

function datasetFor(name: string, manifest: Manifest, net: SplitNetwork, n: number): Dataset {
  const opts = manifest.dataset?.name === name ? { ...manifest.dataset.options } : {};
  const ds = loadDataset(name, opts);
  const want = net.input.shape;
  if (ds.inputShape.join(',') !== want.join(',')) {
    throw new EdgeError(`dataset '${name}' has input shape [${ds.inputShape.join(',')}], model '${net.id}' expects [${want.join(',')}]`);
  }
  for (const t of net.tasks) {
    if (!ds.tasks.some((d) => d.name === t.name)) throw new EdgeError(`dataset '${name}' has no task '${t.name}' of model '${net.id}'`);
  }
  if (n > ds.size('test')) throw new EdgeError(`-n ${n} exceeds the ${ds.size('test')} samples of the ${name} test split`);
  return ds;
}

/** Split points to run for a --split value. */
export function resolveSplits(value: string, bundle: { id: string; splitPoints: readonly { name: string; candidate?: boolean }[] }): string[] {
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

/**
 * The edge app: load the bundle and dataset, connect to the cloud (checking it serves the same bundle,
 * the split points and the codec), then run each split point in turn.
 */
export async function runEdge(opts: EdgeOptions, hooks: EdgeHooks = {}): Promise<EdgeResult[]> {
  if (!CODECS.includes(opts.codec as (typeof CODECS)[number])) throw new EdgeError(`unknown codec '${opts.codec}': valid are ${CODECS.join(', ')}`);
  if (!COMPRESSIONS.includes(opts.compress as (typeof COMPRESSIONS)[number])) {
    throw new EdgeError(`unknown compression '${opts.compress}': valid are ${COMPRESSIONS.join(', ')}`);
  }
  let manifest: Manifest;
  let bundle: SplitNetwork;
  try {
    manifest = readManifest(opts.model);
    bundle = await openNetwork(opts.model, { runtime: opts.runtime, threads: opts.threads, backend: opts.backend });
  } catch (err) {
    throw new EdgeError(err instanceof Error ? err.message : String(err));
  }
  hooks.onEngine?.(bundle.engine, bundle.backend);
  try {
    return await runWith(opts, hooks, manifest, bundle);
  } finally {
    await bundle.close();
  }
}

/** The samples of a run: a dataset's test split, or --inputs (random or image files) for any bundle. */
async function sourceFor(opts: EdgeOptions, manifest: Manifest, net: SplitNetwork): Promise<SampleSource> {
  if (opts.inputs === undefined && !manifest.dataset) {
    throw new EdgeError(`bundle '${net.id}' has no dataset (it was imported): give --inputs random or --inputs DIR (PNG/JPEG files)`);
  }
  if (opts.inputs === undefined) return { kind: 'dataset', dataset: datasetFor(opts.dataset, manifest, net, opts.n) };
  const { shape, layout, preprocess } = net.input;
  const [h, w, c] = layout === 'NHWC' ? shape : [shape[1], shape[2], shape[0]];
  const spec = { height: h, width: w, channels: c, layout, mean: preprocess.mean, std: preprocess.std };
  if (opts.inputs === 'random') return { kind: 'generated', count: opts.n, make: (k) => randomImages(k, 1, spec) };
  return { kind: 'inputs', inputs: await readImageInputs(opts.inputs, spec, opts.n) };
}

async function runWith(opts: EdgeOptions, hooks: EdgeHooks, manifest: Manifest, bundle: SplitNetwork): Promise<EdgeResult[]> {
  const splits = resolveSplits(opts.split, bundle);
  let source: SampleSource;
  try {
    source = await sourceFor(opts, manifest, bundle);
  } catch (err) {
    throw err instanceof EdgeError ? err : new EdgeError(err instanceof Error ? err.message : String(err));
  }
  const n = source.kind === 'inputs' ? source.inputs.length : source.kind === 'generated' ? source.count : opts.n;
  const remote = splits.some((s) => s !== EDGE_ONLY);
  // one channel per replica, each checked on its own (Describe on every connection, every answer stamped)
  let replicas: SplitClient[] = [];
  if (remote) {
    if (!opts.cloud) throw new EdgeError('--cloud HOST:PORT is required unless --split edge-only');
    try {
      replicas = await replicaClients(opts.cloud, edgeChannel(opts, opts.security));
    } catch (err) {
      throw new EdgeError(err instanceof Error ? err.message : String(err));
    }
  }
  const client = replicas[0];
  try {
    const d = remote ? await describeReplicas(opts, hooks, bundle, replicas) : undefined;
    if (d) {
      // auto may use every candidate point
      const used = splits.includes(AUTO) ? resolveSplits(ALL, bundle) : splits;
      for (const s of used) {
        if (s !== EDGE_ONLY && !d.splitPoints.some((p) => p.name === s)) throw new EdgeError(`cloud does not serve split point '${s}'`);
      }
      if (!d.codecs.includes(opts.codec)) throw new EdgeError(`cloud does not decode codec '${opts.codec}' (offers ${d.codecs.join(', ')})`);
    }
    const ctx: EdgeContext = { net: bundle, source, client, replicas, busyPoll: opts.busyPoll ?? false, verify: opts.verify ?? false };
    const results: EdgeResult[] = [];
    for (const point of splits) {
      if (opts.signal?.aborted) break;
      hooks.onSplitStart?.(point, n);
      const r = await runSplit(ctx, {
        point,
        codec: opts.codec,
        compress: opts.compress,
        n,
        deadlineMs: opts.deadlineMs,
        concurrency: opts.concurrency,
        mode: opts.mode,
        warmup: opts.warmup,
        fallback: opts.fallback ?? 'local',
        signal: opts.signal,
        durationMs: opts.durationS === undefined ? undefined : opts.durationS * 1000,
        ratePerS: opts.ratePerS,
        hedge: opts.hedge,
        onProgress: hooks.onProgress,
        onRequest: hooks.onRequest,
        events: { onBreaker: (from, to, cause) => hooks.onBreaker?.(point, from, to, cause), onSwitch: hooks.onSwitch, onWrongModel: hooks.onWrongModel },
      });
      hooks.onSplitEnd?.(r);
      results.push(r);
    }
    return results;
  } finally {
    for (const r of replicas) r.close();
  }
}

/**
 * Describes every replica at start: the description of one serving this edge's bundle, or undefined when
 * none could be reached and the fallback is local (the edge starts, answering locally until one answers).
 * Replicas serving another bundle are named in a warning and left to fail on their own; when every
 * reachable one does, or none is reachable without a local fallback, it throws.
 */
async function describeReplicas(opts: EdgeOptions, hooks: EdgeHooks, bundle: SplitNetwork, replicas: SplitClient[]): Promise<RemoteDescription | undefined> {
  const where = (c: SplitClient) => c.target.replace(/^ipv[46]:/, '');
  const said = await Promise.all(replicas.map((c) => c.describe({ deadlineMs: Math.max(opts.deadlineMs, 5000) }).then((d) => ({ c, d }), (err: unknown) => ({ c, err }))));
  const good = said.find((r) => 'd' in r && r.d.bundleId === bundle.id);
  const wrong = said.filter((r): r is { c: SplitClient; d: RemoteDescription } => 'd' in r && r.d.bundleId !== bundle.id);
  const failed = said.filter((r): r is { c: SplitClient; err: unknown } => 'err' in r);
  const mismatch = (r: { c: SplitClient; d: RemoteDescription }) => `cloud at ${where(r.c)} serves bundle '${r.d.bundleId}', this edge has '${bundle.id}'`;
  if (!good && wrong.length) throw new EdgeError(mismatch(wrong[0]));
  for (const r of wrong) hooks.onWarning?.(`${mismatch(r)}: its answers will be refused`);
  const why = (err: unknown) => (err instanceof TransportError ? `${err.codeName}: ${err.message}` : String(err)).split('\n')[0];
  // not an outage but a configuration that can never work (TLS): fail now, not answer locally for ever
  const addresses = parseTargets(opts.cloud ?? '');
  for (const { c, err } of failed) {
    const never = await neverReachable(err, addresses[replicas.indexOf(c)], opts.security?.tls !== undefined);
    if (never) throw new EdgeError(never);
  }
  for (const { c, err } of failed) {
    // with local fallback an unreachable cloud is no reason not to answer: start, and answer locally
    // until the cloud does (its bundle is checked on connection and on every answer)
    if ((opts.fallback ?? 'local') !== 'local' || !cloudUnreachable(err)) throw new EdgeError(`cannot describe cloud at ${where(c)}: ${why(err)}`);
    hooks.onWarning?.(`cannot reach the cloud at ${where(c)} (${why(err)}): ${good ? 'using the other replicas' : 'answering locally'} until it answers`);
  }
  return good && 'd' in good ? good.d : undefined;
}
