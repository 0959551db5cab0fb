import type { Toxiproxy } from 'toxiproxy-node-client';
import { z } from 'zod';
import { PROFILE_TOXIC_PREFIX, type ToxicSpec } from '../client/profile.js';
import { NO_LIMIT_KBPS } from '../toxics/bandwidth.js';
import type { StreamDirection } from '../toxics/toxic-types.js';

/** A hold lasts this long at most (ms): a latency toxic this long keeps what reaches it until it is removed. */
export const HOLD_LATENCY_MS = 3_600_000;

/** Name of the hold toxic of a direction. */
export const holdName = (stream: StreamDirection): string => `trace_hold_${stream === 'upstream' ? 'up' : 'down'}`;

/** toxiproxy-node-client's HTTP client (the package does not export its type). */
type HttpClient = ReturnType<Toxiproxy['getApi']>;

const listSchema = z.array(z.object({ name: z.string() }).loose());

const sameAttributes = (a: Record<string, number>, b: Record<string, number>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** The attributes under which a toxic of the replay changes nothing. */
function noEffect(t: ToxicSpec): Record<string, number> {
  if (t.type === 'bandwidth') return { rate: NO_LIMIT_KBPS };
  return Object.fromEntries(Object.keys(t.attributes).map((k) => [k, 0]));
}

/**
 * Keeps one proxy's replay toxics as wanted through Toxiproxy's HTTP API, with as few calls as it can:
 * a toxic is created once, then only updated when its attributes change (Toxiproxy restarts a toxic
 * on every update). A toxic no longer wanted is set to have no effect (latency 0; a bandwidth toxic to
 * NO_LIMIT_KBPS, since rate 0 stops the stream) rather than removed, so the chain's order never changes.
 */
export class ToxicWriter {
  private readonly posted = new Map<string, ToxicSpec>();
  private readonly holds = new Set<StreamDirection>();
  private readonly base: string;

  constructor(
    private readonly api: HttpClient,
    url: string,
    proxy: string,
  ) {
    this.base = `${url}/proxies/${encodeURIComponent(proxy)}/toxics`;
  }

  /** Removes toxics with the names this writer uses (left by an earlier replay or `Link.applyProfile`). */
  async reset(): Promise<void> {
    const list = listSchema.parse((await this.api.get<unknown>(this.base)).data);
    for (const t of list) {
      if (t.name.startsWith(PROFILE_TOXIC_PREFIX) || t.name.startsWith('trace_hold_')) await this.remove(t.name);
    }
    this.posted.clear();
    this.holds.clear();
  }

  async apply(wanted: readonly ToxicSpec[]): Promise<void> {
    for (const spec of wanted) {
      const prev = this.posted.get(spec.name);
      if (!prev) await this.api.post(this.base, spec);
      else if (!sameAttributes(prev.attributes, spec.attributes)) await this.api.post(this.url(spec.name), spec);
      this.posted.set(spec.name, spec);
    }
    for (const [name, prev] of this.posted) {
      if (wanted.some((s) => s.name === name)) continue;
      const off = { ...prev, attributes: noEffect(prev) };
      if (!sameAttributes(prev.attributes, off.attributes)) await this.api.post(this.url(name), off);
      this.posted.set(name, off);
    }
  }

  /** Starts or ends holding a direction's data (a long latency toxic at the end of its chain). */
  async hold(stream: StreamDirection, on: boolean): Promise<void> {
    if (on === this.holds.has(stream)) return;
    if (on) {
      const attributes = { latency: HOLD_LATENCY_MS, jitter: 0 };
      await this.api.post(this.base, { name: holdName(stream), type: 'latency', stream, toxicity: 1, attributes });
      this.holds.add(stream);
    } else {
      await this.remove(holdName(stream));
      this.holds.delete(stream);
    }
  }

  /** Ends every hold (what they held goes on at once). */
  async releaseHolds(): Promise<void> {
    for (const stream of [...this.holds]) await this.hold(stream, false);
  }

  /** Removes every toxic this writer made. */
  async clear(): Promise<void> {
    await this.releaseHolds();
    for (const name of [...this.posted.keys()]) await this.remove(name);
    this.posted.clear();
  }

  private url(name: string): string {
    return `${this.base}/${encodeURIComponent(name)}`;
  }

  private async remove(name: string): Promise<void> {
    await this.api.delete(this.url(name));
  }
}
