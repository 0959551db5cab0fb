import { EDGE_ONLY, predictEdgeOnly, predictSplit, transferMs, type LinkModel } from '@mtl-split/stats';

/**
 * `--split auto`: which candidate (a split point, or the whole network here) answers the next request.
 *
 * The chooser predicts each candidate's latency from what the edge measures anyway:
 * - the edge half's compute and encode per candidate (measured once at start, then from every answer);
 * - the cloud half's compute (the cloud's own figure in each answer; for a point not used yet, the edge's
 *   own run of that cloud half, scaled by how fast the cloud has been relative to the edge);
 * - the link: round-trip time (a light health check while the link is idle: during an edge compute at least
 *   a round trip long, or on edge-only, never beside a background frame, which it would wait behind)
 *   and time per byte (a request's network time less the round trip, over its frame's bytes up plus its
 *   answer's bytes down: one figure for both directions, since one request cannot tell them apart);
 * - the answer's bytes (as received, framing included; the same whatever the point, for the same tasks and forms).
 * prediction = edge + encode + rtt + (up + answer bytes) x time-per-byte + cloud, the project's one latency
 * model (@mtl-split/stats `predictSplit`); edge-only = the whole network here.
 * It moves to another candidate only when that one is predicted better by `margin` for `confirm`
 * decisions in a row (hysteresis, so noise does not make it flap), or at once when it is predicted at
 * under half the current one's time (`DECISIVE`: no noise the margin guards against explains 2x; on a
 * link that stalls, waiting for a second decision sends one more request into the stall); each move
 * carries the estimate that caused it. The running estimates follow a change within a few requests: a
 * frame's network time off by more than 2x (and 5 ms) from its prediction asks for a round-trip probe at
 * once and is not put down to bandwidth until that probe has answered (a longer round trip is not a
 * slower link); a slower one counts meanwhile as a longer round trip (the explanation every remote
 * candidate pays the same; so does a slower frame after a faster surprise), and when the probe answers,
 * what the round trip does not explain goes to the time per byte; a round trip off by more than 2x
 * replaces the estimate; a background measurement (below) replaces the time per byte. While on edge-only nothing crosses the link, so the caller sends one
 * request's tensor by the best remote candidate in the background (the answer given is the local one) to
 * measure the link again: at once after the move to edge-only (it may rest on one delayed frame: a frame
 * as expected after a surprising one clears the surprise), then `exploreMs` after the last one ended, one
 * at a time (an idle uplink carries at most one frame per `exploreMs` plus its own time).
 */

export { EDGE_ONLY };

export interface AutoOptions {
  /** Relative improvement a candidate needs to be taken (default 0.15). */
  margin: number;
  /** Decisions in a row that must agree before a move (default 2). */
  confirm: number;
  /** Weight of a new observation in the running estimates (default 0.5: a change is followed within a few requests). */
  alpha: number;
  /** While on edge-only: a background request by the best remote candidate this long after the last one ended, ms (default 500). */
  exploreMs: number;
  /** Round-trip probes at most this often, ms (default 500). */
  probeEveryMs: number;
}

/** Moves remembered in `AutoSplit.switches`. */
export const MAX_SWITCHES = 1000;

export const DEFAULT_AUTO: AutoOptions = { margin: 0.15, confirm: 2, alpha: 0.5, exploreMs: 500, probeEveryMs: 500 };

/** A candidate predicted at under 1 / DECISIVE of the current one's time is taken without confirmation. */
export const DECISIVE = 2;

/** A link estimate without any remote answer for this long, ms, is replaced by the next background measurement. */
export const STALE_MS = 2000;

/** What the edge measured of one candidate at start (its own compute). */
export interface CandidateCalibration {
  name: string;
  /** Edge half + encode, ms (for edge-only: the whole network). */
  edgeMs: number;
  /** The cloud half run here, ms (0 for edge-only). */
  localCloudMs: number;
  /** Frame bytes sent (0 for edge-only). */
  bytes: number;
}

/** One answered request, as the chooser learns from it. */
export interface AutoObservation {
  split: string;
  /** Edge half + encode, ms. */
  edgeMs: number;
  /** Round trip less the cloud's work, ms (cloud answers only). */
  networkMs?: number;
  /** The cloud's compute and decode, ms (cloud answers only). */
  cloudMs?: number;
  /** Frame bytes sent up. */
  bytes?: number;
  /** Answer bytes received (cloud answers only). */
  answerBytes?: number;
}

export interface AutoSwitch {
  from: string;
  to: string;
  /** One line: the estimates and the two predictions. */
  why: string;
  rttMs: number;
  upKBps: number;
  predictedMs: Record<string, number>;
}

const ewma = (old: number | undefined, x: number, a: number): number => (old === undefined ? x : old + a * (x - old));

export class AutoSplit {
  private readonly cand: Map<string, CandidateCalibration>;
  private edgeMs = new Map<string, number>();
  private cloudMs = new Map<string, number>();
  /** Observed cloud compute / the edge's own run of the same half. */
  private cloudRatio: number | undefined;
  private rtt: number | undefined;
  /** Upstream ms per byte. */
  private msPerByte: number | undefined;
  /** The round trip's jitter: running mean of the probes' distance from the estimate, ms. */
  private jitter = 0;
  private current: string;
  private streak = 0;
  private streakFor = '';
  private lastRemote = 0;
  /** When the last remote answer came (for a stale link estimate). */
  private lastAnswer = -Infinity;
  private lastProbe = -Infinity;
  private exploring = false;
  /** A frame's network time surprised the estimate: probe the round trip before blaming bandwidth. */
  private surprised = false;
  private surprisedAt = -Infinity;
  /** A slower frame held as a round trip until the probe answers: its network time and bytes, and the round trip before. */
  private pending?: { networkMs: number; bytes: number; rttBefore: number };
  /** Answer bytes per request (running average of what the cloud sent). */
  private answerBytes?: number;
  /** The last MAX_SWITCHES moves (a long run keeps its memory bounded); `moves` counts them all. */
  readonly switches: AutoSwitch[] = [];
  moves = 0;

  constructor(
    calibration: readonly CandidateCalibration[],
    readonly o: AutoOptions = DEFAULT_AUTO,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!calibration.length) throw new Error('auto split: no candidates');
    this.cand = new Map(calibration.map((c) => [c.name, c]));
    for (const c of calibration) this.edgeMs.set(c.name, c.edgeMs);
    // until the link is measured, start on the candidate that sends the fewest bytes (edge-only excepted)
    const remote = calibration.filter((c) => c.name !== EDGE_ONLY);
    this.current = (remote.length ? remote.reduce((a, b) => (b.bytes < a.bytes ? b : a)) : calibration[0]).name;
  }

  get split(): string {
    return this.current;
  }

  get estimates(): { rttMs?: number; upKBps?: number } {
    return { rttMs: this.rtt, upKBps: this.msPerByte === undefined ? undefined : 1 / Math.max(1e-9, this.msPerByte) };
  }

  /** Whether a round-trip probe is due now (the caller runs it at once, during the request's edge compute). */
  probeDue(): boolean {
    // only while the link is idle: not beside a background frame, nor during a request whose edge compute
    // ends before a round trip would (the probe would wait behind its frame and measure its transmission:
    // a slow uplink would pass for a long round trip)
    if (this.exploring) return false;
    const edgeMs = this.edgeMs.get(this.current) ?? 0;
    if (this.current !== EDGE_ONLY && this.rtt !== undefined && edgeMs < this.rtt) return false;
    if (!this.surprised && this.now() - this.lastProbe < this.o.probeEveryMs) return false;
    this.lastProbe = this.now();
    return true;
  }

  /** A round-trip probe's time, ms: averaged, or taken as it is when off by more than 2x (the link changed). */
  observeRtt(ms: number): void {
    this.surprised = false;
    const p = this.pending;
    this.pending = undefined;
    // a surprise held as a round trip: the probe is compared with the round trip from before it
    if (p) this.rtt = p.rttBefore;
    const changed = this.rtt !== undefined && (ms > 2 * this.rtt || ms < this.rtt / 2);
    if (this.rtt !== undefined && !changed) this.jitter = ewma(this.jitter, Math.abs(ms - this.rtt), this.o.alpha);
    this.rtt = changed || this.rtt === undefined ? ms : ewma(this.rtt, ms, this.o.alpha);
    // what the round trip does not explain of the surprising frame was the link's rate (a change: replaced)
    // (a frame slower than expected is no evidence of a faster link)
    if (p) this.msPerByte = Math.max(this.msPerByte ?? 0, (p.networkMs - this.rtt) / p.bytes);
  }

  /** What one answered request showed; `fresh`: a background measurement (replaces a stale link estimate). */
  observe(ob: AutoObservation, fresh = false): void {
    this.edgeMs.set(ob.split, ewma(this.edgeMs.get(ob.split), ob.edgeMs, this.o.alpha));
    if (ob.cloudMs !== undefined) {
      this.cloudMs.set(ob.split, ewma(this.cloudMs.get(ob.split), ob.cloudMs, this.o.alpha));
      const local = this.cand.get(ob.split)?.localCloudMs ?? 0;
      if (local > 0.05) this.cloudRatio = ewma(this.cloudRatio, ob.cloudMs / local, this.o.alpha);
    }
    if (ob.answerBytes !== undefined) this.answerBytes = ewma(this.answerBytes, ob.answerBytes, this.o.alpha);
    if (ob.networkMs !== undefined && ob.bytes) {
      const bytes = ob.bytes + (ob.answerBytes ?? 0);
      const stale = this.now() - this.lastAnswer > STALE_MS;
      this.lastAnswer = this.now();
      this.lastRemote = this.now();
      // the round trip of a frame: rtt + bytes x time per byte; with no probe yet, all of it is the round trip
      if (this.rtt === undefined) this.rtt = ob.networkMs;
      // expected as the link stood before a surprise still held as a round trip
      const link = this.link();
      const rttBefore = this.pending?.rttBefore ?? link.rttMs;
      const expected = rttBefore + transferMs(bytes, link.upKBps);
      const off = Math.abs(ob.networkMs - expected) > 5 && (ob.networkMs > 2 * expected || ob.networkMs < expected / 2);
      // a frame as expected after a surprising one: that one was a single frame's delay, not the link; the
      // surprise is over too (else, where no probe goes, a later change would wait for a probe that never comes)
      if (this.surprised && !off) {
        if (this.pending) this.rtt = this.pending.rttBefore;
        this.pending = undefined;
        this.surprised = false;
      }
      if (!fresh && this.msPerByte !== undefined && off) {
        const slower = ob.networkMs > expected;
        // a slower frame after a faster one (say, a link briefly unshaped, then slower) is a surprise of its own:
        // held as a round trip at once, not waiting for a probe that, on input, never goes
        if (!this.surprised || (slower && !this.pending)) {
          this.surprised = true;
          this.surprisedAt = this.now();
          this.lastProbe = -Infinity;
          // slower: until the probe tells round trip from rate, every remote candidate pays the extra time
          if (slower) {
            this.pending = { networkMs: ob.networkMs, bytes, rttBefore };
            this.rtt = ob.networkMs - transferMs(bytes, link.upKBps);
          }
          return;
        }
        // a probe is on its way (its answer clears this); until then the estimate waits
        if (this.now() - Math.max(this.lastProbe, this.surprisedAt) < 5 * Math.max(this.rtt, ob.networkMs)) return;
      }
      // not clamped here, so jitter averages out; a negative estimate counts as 0 in predictions
      const transfer = ob.networkMs - (this.pending?.rttBefore ?? this.rtt);
      this.msPerByte = this.perByte(transfer, bytes, fresh && stale);
    }
  }

  /**
   * The time per byte after a frame of `bytes` whose transfer (network time less the round trip) took
   * `transfer` ms. A frame whose transfer is short against the round trip's jitter says little about the
   * rate: its weight is alpha x s / (s + jitter), s the transfer expected or seen, whichever is longer (a
   * 150-byte tensor on a 1 Mbit/s link, 1.2 ms, against 3 ms of jitter: a third of a 4 kB frame's). A
   * transfer off the estimate by more than 2x and by more than the jitter is a change and replaces it, as
   * does a background measurement after STALE_MS without any.
   */
  private perByte(transfer: number, bytes: number, replace: boolean): number {
    const sample = transfer / bytes;
    if (this.msPerByte === undefined || replace) return sample;
    const expected = Math.max(0, this.msPerByte) * bytes;
    const off = Math.abs(transfer - expected) > 2 * this.jitter + 1 && (transfer > 2 * expected || transfer < expected / 2);
    if (off) return sample;
    const s = Math.max(expected, transfer, 0);
    const weight = s + this.jitter > 0 ? (this.o.alpha * s) / (s + this.jitter) : this.o.alpha;
    return this.msPerByte + weight * (sample - this.msPerByte);
  }

  /** The link as the estimates stand: no estimate yet, or a negative time per byte, costs nothing. */
  private link(): LinkModel {
    const perByte = Math.max(0, this.msPerByte ?? 0);
    const kBps = perByte > 0 ? 1 / perByte : Infinity;
    return { rttMs: this.rtt ?? 0, upKBps: kBps, downKBps: kBps };
  }

  /** Predicted latency of every candidate, ms (edge includes encode, cloud includes decode). */
  predict(): Record<string, number> {
    const out: Record<string, number> = {};
    const link = this.link();
    for (const c of this.cand.values()) {
      const edgeMs = this.edgeMs.get(c.name) ?? c.edgeMs;
      if (c.name === EDGE_ONLY) {
        out[c.name] = predictEdgeOnly(edgeMs).totalMs;
        continue;
      }
      const cloudMs = this.cloudMs.get(c.name) ?? c.localCloudMs * (this.cloudRatio ?? 1);
      out[c.name] = predictSplit(
        { edgeMs, encodeMs: 0, decodeMs: 0, cloudMs, upBytes: c.bytes, downBytes: this.answerBytes ?? 0 },
        link,
      ).totalMs;
    }
    return out;
  }

  /** The candidate for the next request (moves with hysteresis). */
  next(): string {
    const pred = this.predict();
    const best = Object.entries(pred).reduce((a, b) => (b[1] < a[1] ? b : a))[0];
    const cur = pred[this.current] ?? Infinity;
    if (best !== this.current && pred[best] < cur * (1 - this.o.margin)) {
      this.streak = this.streakFor === best ? this.streak + 1 : 1;
      this.streakFor = best;
      if (this.streak >= this.o.confirm || pred[best] * DECISIVE < cur) this.move(best, pred);
    } else {
      this.streak = 0;
      this.streakFor = '';
    }
    return this.current;
  }

  /**
   * While on edge-only: the remote candidate to measure the link with now, in the background, or
   * undefined (not on edge-only, not due, or one already in flight: the caller reports its end with
   * `explored`).
   */
  exploreDue(): string | undefined {
    if (this.current !== EDGE_ONLY || this.exploring || this.now() - this.lastRemote < this.o.exploreMs) return undefined;
    const remote = Object.entries(this.predict()).filter(([n]) => n !== EDGE_ONLY);
    if (!remote.length) return undefined;
    this.exploring = true;
    this.lastRemote = this.now();
    return remote.reduce((a, b) => (b[1] < a[1] ? b : a))[0];
  }

  /** The background request of `exploreDue` ended (its observation, if answered, went to `observe`). */
  explored(): void {
    this.exploring = false;
    this.lastRemote = this.now();
  }

  private move(to: string, pred: Record<string, number>): void {
    const f = (x: number): string => x.toFixed(1);
    const { rttMs, upKBps } = this.estimates;
    const link = `rtt ${rttMs === undefined ? '?' : f(rttMs)} ms, up ${upKBps === undefined ? '?' : upKBps >= 1e5 ? '>100000' : upKBps.toFixed(0)} KB/s`;
    const why = `${link}: ${to} predicted ${f(pred[to])} ms against ${this.current} ${f(pred[this.current])} ms`;
    this.switches.push({ from: this.current, to, why, rttMs: rttMs ?? 0, upKBps: upKBps ?? 0, predictedMs: pred });
    if (this.switches.length > MAX_SWITCHES) this.switches.shift();
    this.moves++;
    // a move to edge-only is checked by a background request at once (it may rest on one delayed frame)
    if (to === EDGE_ONLY && this.current !== EDGE_ONLY) this.lastRemote = -Infinity;
    this.current = to;
    this.streak = 0;
    this.streakFor = '';
  }
}
