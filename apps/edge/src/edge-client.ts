import { openNetwork, zeroSample, type EdgeRunner, type HeadsRunner, type SplitNetwork, type TensorData } from '@mtl-split/model/infer';
import { parseTargets, SplitClient, type ClientOptions, type ClientSecurity, type InferAnswer } from '@mtl-split/transport';
import { DEFAULT_HEDGE, type HedgeOptions } from './hedge.js';
import { CloudLink, cloudUnreachable, DEFAULT_BREAKER, type BreakerOptions, type BreakerState } from './cloud-link.js';
import { AUTO, EDGE_ONLY } from '@mtl-split/stats';
import { AutoSplit, DEFAULT_AUTO, type AutoOptions, type AutoSwitch, type CandidateCalibration } from './auto-split.js';
import { cloudStages, fallbackStages, localStages, type AnswerTimings } from './stages.js';
import type { EdgeRunSpec } from './spec.js';
import { failureOf } from './error-text.js';
import { protocolClients } from './oip-link.js';
import { askedTasks, cloudResults, localResults } from './answers/build.js';
import type { AnswerRequest, TaskResult } from './answers/types.js';
import { encodeFrames } from './answers/wire.js';
import { answerProblems } from './answers/check.js';
import type { LinkRequest } from './cloud-link.js';

/**
 * How the edge answers: where to split, how to send, and what to do when the cloud cannot answer (the run
 * settings of spec.ts it reads: `split` a split point, 'edge-only' or 'auto', the candidate predicted fastest
 * from the edge's own measurements of the link and of each half, see auto-split.ts; `fallback` 'local'
 * computes the rest of the network here when the cloud cannot answer in time, 'none' fails; `quality` of the
 * image codecs, default the codec's).
 */
export interface EdgePolicy
  extends Pick<EdgeRunSpec, 'split' | 'codec' | 'compress' | 'deadlineMs' | 'fallback' | 'mode'>,
    Partial<Pick<EdgeRunSpec, 'retries' | 'busyPoll' | 'quality' | 'level' | 'tasks' | 'answers'>> {
  breaker?: Partial<BreakerOptions>;
  /** Tuning of `split: 'auto'`. */
  auto?: Partial<AutoOptions>;
  /**
   * With `fallback: 'local'`: answer locally once the cloud has not answered within max(floorMs,
   * multiplier x p99 of the replica's recent round trips) (default 4 x p99, at least 250 ms; hedge.ts),
   * so a dead link is noticed in a fraction of a second whatever the deadline; `false`: wait for the deadline.
   */
  hedge?: Partial<HedgeOptions> | false;
}

/** The library's options: the policy, the bundle (`model`), the cloud's address(es) and the engine and device. */
export interface EdgeClientOptions
  extends EdgePolicy,
    Pick<EdgeRunSpec, 'model' | 'cloud'>,
    Partial<Pick<EdgeRunSpec, 'runtime' | 'threads' | 'deviceSlowdown' | 'protocol'>> {
  security?: ClientSecurity;
}

export type { TaskResult } from './answers/types.js';

export type { AnswerTimings } from './stages.js';

export interface EdgeAnswer {
  /** Who answered: the cloud, or this edge (fallback, or edge-only). */
  source: 'cloud' | 'local';
  split: string;
  /** Every task asked (policy `tasks`, default all), in the network's order, each in the type of its kind. */
  tasks: TaskResult[];
  timings: AnswerTimings;
  /** Frame bytes sent (0 when nothing was sent). */
  bytes: number;
  /** The cloud's answer payload: its tensor frames as received plus 4 bytes a class probability (absent when answered here). */
  answerBytes?: number;
  /** Server batch the request ran in (0 when answered locally). */
  batchSize: number;
  /** Why the cloud did not answer, when the edge answered itself after trying (or with the circuit open). */
  fallbackReason?: string;
  /** The gRPC status of that failure, as data (absent when it had none). */
  fallbackStatus?: string;
  /** The frames sent (one per crossing tensor; absent when nothing was sent), for `verify`'s decoded reference. */
  frames?: Uint8Array[];
}

/** One sample: its input (a network of one input) or every input in `SplitNetwork.inputs` order. */
export type SampleInputs = Float32Array | readonly Float32Array[];

export interface EdgeClientEvents {
  /** Every change of the circuit breaker, with its cause. */
  onBreaker?: (from: BreakerState, to: BreakerState, cause: string) => void;
  /** `split: 'auto'` moved to another candidate, with the estimate that caused it. */
  onSwitch?: (s: AutoSwitch) => void;
  /** A replica answered with, or serves, another bundle or split point: refused, never an answer (the reason). */
  onWrongModel?: (reason: string) => void;
}

/** The two halves of one split point on this edge (the cloud half for the local fallback). */
interface Halves {
  half: EdgeRunner;
  rest: HeadsRunner | undefined;
}

/** Why a request was answered locally, its gRPC status carried as data (the answer's fields). */
const fallbackOf = (err: unknown): Pick<EdgeAnswer, 'fallbackReason' | 'fallbackStatus'> => {
  const f = failureOf(err);
  return f.status === undefined ? { fallbackReason: f.reason } : { fallbackReason: f.reason, fallbackStatus: f.status };
};

/**
 * The edge as a library: holds the bundle (the whole network, so it can answer alone), a way to the
 * cloud, and a policy. `infer(x)` runs the edge half, sends the tensor, and returns the per-task answer
 * with class names, where it came from and its timings; when the cloud cannot answer in time and the
 * policy says `fallback: 'local'`, the edge computes the cloud half itself (the same answer as the whole
 * network), and a circuit breaker stops paying a deadline per request while the link is down.
 */
export class EdgeClient {
  private constructor(
    readonly net: SplitNetwork,
    readonly policy: EdgePolicy,
    /** One way to the cloud per replica (several in stream mode with several addresses), used in turn. */
    private readonly links: CloudLink[],
    /** Per split point that may be used: its edge half, and its cloud half when the fallback is local. */
    private readonly halves: Map<string, Halves>,
    /** The whole network (edge-only, and `auto`'s edge-only candidate). */
    private readonly whole: HeadsRunner | undefined,
    private readonly owned: { net: boolean; clients: readonly SplitClient[] },
    /** The chooser of `split: 'auto'`. */
    readonly auto: AutoSplit | undefined,
    private readonly events: EdgeClientEvents,
  ) {}

  /** Opens the bundle and (lazily) the connection; throws a one-line Error on a bad bundle, point or address. */
  static async open(o: EdgeClientOptions, events: EdgeClientEvents = {}): Promise<EdgeClient> {
    const net = await openNetwork(o.model, { runtime: o.runtime, threads: o.threads, slowdown: o.deviceSlowdown });
    try {
      // one channel per replica: each is checked on its own (Describe on connection, stamped answers)
      const clients: SplitClient[] = [];
      if (o.split !== EDGE_ONLY) {
        if (!o.cloud) throw new Error('a cloud address is needed unless the split is edge-only');
        clients.push(...protocolClients(o, net, await replicaClients(o.cloud, edgeChannel(o, o.security))));
      }
      return await EdgeClient.create(net, clients.length ? clients : undefined, o, events, { net: true, clients });
    } catch (err) {
      await net.close();
      throw err;
    }
  }

  /** An EdgeClient over an open network and client (the caller keeps owning them). */
  static async create(
    net: SplitNetwork,
    client: SplitClient | readonly SplitClient[] | undefined,
    policy: EdgePolicy,
    events: EdgeClientEvents = {},
    owned: { net: boolean; clients: readonly SplitClient[] } = { net: false, clients: [] },
  ): Promise<EdgeClient> {
    const local = policy.split === EDGE_ONLY;
    const isAuto = policy.split === AUTO;
    const problems = answerProblems(net.tasks, policy);
    if (problems.length) throw new Error(problems.join('; '));
    if (!local && !isAuto) net.point(policy.split);
    if (!local && !client) throw new Error('a cloud client is needed unless the split is edge-only');
    const clients = client === undefined ? [] : Array.isArray(client) ? [...(client as readonly SplitClient[])] : [client as SplitClient];
    if (!local && !clients.length) throw new Error('a cloud client is needed unless the split is edge-only');
    const identity = { bundleId: net.id };
    const linkEvents = { onState: events.onBreaker, onWrongModel: events.onWrongModel };
    const hedge = policy.fallback === 'local' && policy.hedge !== false ? { ...DEFAULT_HEDGE, ...policy.hedge } : undefined;
    const links = local
      ? []
      : clients.map((c) => new CloudLink(c, policy.mode, { ...DEFAULT_BREAKER, ...policy.breaker }, linkEvents, identity, hedge));
    // auto: every candidate point (those `--split all` sweeps) and the whole network
    const points = local ? [] : isAuto ? net.splitPoints.filter((p) => p.candidate !== false).map((p) => p.name) : [policy.split];
    const halves = new Map<string, Halves>();
    for (const p of points) {
      // the fallback's cloud half is made ready now, so the first fallback does not pay its load
      halves.set(p, { half: await net.edgeRunner(p), rest: policy.fallback === 'local' || isAuto ? await net.cloudRunner(p) : undefined });
    }
    const whole = local || isAuto ? await net.wholeRunner() : undefined;
    const auto = isAuto ? new AutoSplit(await calibrate(net, policy, halves, whole!), { ...DEFAULT_AUTO, ...policy.auto }) : undefined;
    return new EdgeClient(net, policy, links, halves, whole, owned, auto, events);
  }

  /** The breaker of the first replica ('none' for edge-only). */
  get breakerState(): BreakerState | 'none' {
    return this.links[0]?.breakerState ?? 'none';
  }

  private turn = 0;

  /** The replicas in the order to try for the next request: in turn, those with an open circuit last. */
  private order(): CloudLink[] {
    const n = this.links.length;
    const start = this.turn++ % Math.max(1, n);
    const ring = Array.from({ length: n }, (_, i) => this.links[(start + i) % n]);
    return [...ring.filter((l) => l.breakerState !== 'open'), ...ring.filter((l) => l.breakerState === 'open')];
  }

  /** What each request asks the cloud for: the policy's task subset and answer codecs. */
  private get answerRequest(): AnswerRequest {
    return { ...(this.policy.tasks ? { tasks: this.policy.tasks } : {}), ...(this.policy.answers ? { codecs: this.policy.answers } : {}) };
  }

  /** A sample's inputs as batches of one, checked against the network's inputs. */
  private batchOf(x: SampleInputs): TensorData[] {
    const xs: readonly Float32Array[] = x instanceof Float32Array ? [x] : x;
    const inputs = this.net.inputs;
    if (xs.length !== inputs.length)
      throw new Error(`model '${this.net.id}' takes ${inputs.length} input(s) (${inputs.map((i) => i.name).join(', ')}), got ${xs.length}`);
    return xs.map((data, i) => ({ data, shape: [1, ...inputs[i].shape] }));
  }

  /** The typed results of raw outputs computed here. */
  private local(raw: Record<string, TensorData>): TaskResult[] {
    return localResults(this.net.tasks, raw, this.answerRequest);
  }

  /**
   * Answers one sample (per-sample input(s) of the bundle's shape and layout). `warmup`: an uncounted request
   * that opens connections and warms the path; under `--split auto` it goes by every remote candidate in turn
   * and teaches the chooser nothing, since the first exchanges on a new connection pay its set-up (measured on
   * a 10 ms link: the first request's network time 30 ms and the first round-trip probe 24 ms, then 13-17 ms;
   * taken as the link, they kept auto off the faster split for seconds).
   */
  async infer(x: SampleInputs, o: { requestId?: string; warmup?: boolean } = {}): Promise<EdgeAnswer> {
    if (!this.auto) return this.inferAt(this.policy.split, x, o);
    if (o.warmup) return this.warmAuto(x, o);
    const auto = this.auto;
    const before = auto.moves;
    const split = auto.next();
    if (auto.moves > before) this.events.onSwitch?.(auto.switches[auto.switches.length - 1]);
    // the round-trip probe goes while the link is idle: during this request's edge compute
    const link = this.links[0];
    if (link && link.breakerState === 'closed' && auto.probeDue()) {
      const t = performance.now();
      link.client.health(this.policy.deadlineMs).then(
        () => auto.observeRtt(performance.now() - t),
        () => undefined,
      );
    }
    // on edge-only the link is idle: now and then one tensor goes by the best remote candidate in the
    // background, to see whether the link got better (its answer is not the one returned)
    const explore = auto.exploreDue();
    if (explore) {
      void this.inferAt(explore, x, { requestId: `${o.requestId ?? ''}-probe` }, false)
        .then(
          (b) => this.learn(explore, b, true),
          () => undefined,
        )
        .finally(() => auto.explored());
    }
    const a = await this.inferAt(split, x, o);
    this.learn(split, a);
    return a;
  }

  private warmups = 0;

  /** A warm-up request under auto: the next remote candidate in turn, and a round-trip probe, neither observed. */
  private async warmAuto(x: SampleInputs, o: { requestId?: string }): Promise<EdgeAnswer> {
    const remote = [...this.halves.keys()];
    const split = remote.length ? remote[this.warmups++ % remote.length] : EDGE_ONLY;
    const link = this.links[0];
    if (link && link.breakerState === 'closed') await link.client.health(this.policy.deadlineMs).catch(() => undefined);
    return this.inferAt(split, x, o);
  }

  private learn(split: string, a: EdgeAnswer, fresh = false): void {
    const auto = this.auto!;
    if (a.source === 'cloud')
      auto.observe(
        {
          split,
          edgeMs: a.timings.edge + a.timings.encode,
          networkMs: a.timings.network,
          cloudMs: a.timings.cloud + a.timings.decode,
          bytes: a.bytes,
          answerBytes: a.answerBytes,
        },
        fresh,
      );
    else if (split === EDGE_ONLY) auto.observe({ split, edgeMs: a.timings.total });
    else auto.observe({ split, edgeMs: a.timings.edge + a.timings.encode });
  }

  /** One request by `split`; `fallback: false` fails instead of answering locally (background probes). */
  private async inferAt(split: string, x: SampleInputs, o: { requestId?: string }, fallback = true): Promise<EdgeAnswer> {
    const t0 = performance.now();
    const inputs = this.batchOf(x);
    if (split === EDGE_ONLY) {
      const raw = await this.whole!.runAll(inputs);
      return {
        source: 'local',
        split: EDGE_ONLY,
        tasks: this.local(raw),
        timings: localStages(performance.now() - t0),
        bytes: 0,
        batchSize: 0,
      };
    }
    const halves = this.halves.get(split)!;
    const h = await halves.half.runAll(inputs);
    const t1 = performance.now();
    const p = this.policy;
    const frames = encodeFrames(h, this.net.pointTensors(split), {
      codec: p.codec,
      compress: p.compress,
      quality: p.quality,
      level: p.level,
    });
    const marks = { start: t0, edgeDone: t1, encoded: performance.now() };
    const r: LinkRequest = { frames, requestId: o.requestId ?? '', deadlineMs: p.deadlineMs, answer: this.answerRequest };
    try {
      const ans = await this.sendOnce(split, r, fallback);
      const timings = cloudStages({ ...marks, back: performance.now() }, ans);
      const tasks = cloudResults(askedTasks(this.net.tasks, p.tasks), ans.tasks);
      const bytes = frames.reduce((a, f) => a + f.length, 0);
      return { source: 'cloud', split, tasks, timings, bytes, answerBytes: answerBytes(ans), batchSize: ans.batchSize, frames };
    } catch (err) {
      // only a local fallback answers here (auto holds every half, but --fallback none still fails)
      const rest = fallback && p.fallback === 'local' ? halves.rest : undefined;
      if (!rest || !cloudUnreachable(err)) throw err;
      const back = performance.now();
      const raw = await rest.runAll(h);
      const timings = fallbackStages({ ...marks, back }, performance.now());
      return { source: 'local', split, tasks: this.local(raw), timings, bytes: 0, batchSize: 0, ...fallbackOf(err) };
    }
  }

  /** Sends a request to a replica, and once more to another when the first cannot answer; hedged unless a background probe. */
  private sendOnce(split: string, r: LinkRequest, hedged: boolean) {
    const [first, second] = this.order();
    const send = (l: CloudLink) => (hedged ? l.sendHedged(split, r) : l.send(split, r));
    return send(first).catch((err: unknown) => {
      if (!second || !cloudUnreachable(err) || second.breakerState === 'open') throw err;
      return send(second);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.links.map((l) => l.close()));
    for (const c of this.owned.clients) c.close();
    if (this.owned.net) await this.net.close();
  }
}

/** The payload bytes of an answer: the tensor answers' frames as they crossed, and 4 bytes a probability (a float). */
function answerBytes(a: InferAnswer): number {
  return a.tasks.reduce(
    (n, t) => n + t.tensors.reduce((m, x) => m + x.bytes, 0) + 4 * (t.probabilities.length + t.topProbabilities.length),
    0,
  );
}

/** `auto`'s start: each candidate's edge compute, its cloud half run here, and its frame bytes (best of 2 runs on a blank input). */
async function calibrate(
  net: SplitNetwork,
  policy: EdgePolicy,
  halves: Map<string, Halves>,
  whole: HeadsRunner,
): Promise<CandidateCalibration[]> {
  const xs = zeroSample(net.inputs);
  const best = async (f: () => Promise<unknown>): Promise<number> => {
    let ms = Infinity;
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      await f();
      ms = Math.min(ms, performance.now() - t);
    }
    return ms;
  };
  const out: CandidateCalibration[] = [];
  const codec = { codec: policy.codec, compress: policy.compress, quality: policy.quality, level: policy.level };
  for (const [name, { half, rest }] of halves) {
    let bytes = 0;
    let h = await half.runAll(xs);
    const edgeMs = await best(async () => {
      h = await half.runAll(xs);
      bytes = encodeFrames(h, net.pointTensors(name), codec).reduce((a, f) => a + f.length, 0);
    });
    out.push({ name, edgeMs, localCloudMs: rest ? await best(() => rest.runAll(h)) : 0, bytes });
  }
  out.push({ name: EDGE_ONLY, edgeMs: await best(() => whole.runAll(xs)), localCloudMs: 0, bytes: 0 });
  return out;
}

/** One client (channel) per address of 'HOST:PORT[,HOST:PORT...]', so each replica is checked and broken off on its own. */
export async function replicaClients(cloud: string, options: ClientOptions): Promise<SplitClient[]> {
  const clients: SplitClient[] = [];
  try {
    for (const a of parseTargets(cloud))
      clients.push(await SplitClient.connect(`${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`, options));
  } catch (err) {
    for (const c of clients) c.close();
    throw err;
  }
  return clients;
}

/**
 * Channel settings of the edge: a keepalive PING after 1 s without traffic, the connection declared dead
 * when the PING is not answered within the request deadline (at least 2 s: on a slow link a PING waits
 * behind the frames in flight, so a shorter wait would drop healthy connections); reconnects within a
 * second of the link's return. A black hole is noticed sooner by the per-request deadline.
 */
export function edgeChannel(o: { deadlineMs: number; retries?: number; busyPoll?: boolean }, security?: ClientSecurity) {
  return {
    deadlineMs: o.deadlineMs,
    retries: o.retries ?? 2,
    busyPoll: o.busyPoll ?? false,
    keepaliveMs: 1000,
    keepaliveTimeoutMs: Math.max(2000, o.deadlineMs),
    reconnectBackoffMs: { initial: 100, max: 1000 },
    ...security,
  };
}
