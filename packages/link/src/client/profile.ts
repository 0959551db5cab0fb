import { z } from 'zod';
import type { StreamDirection } from '../toxics/toxic-types.js';

/** The network conditions of an emulated edge-cloud link. */
export interface LinkProfile {
  /** Edge -> cloud (client -> server, Toxiproxy `upstream`) bandwidth in KB/s (1 KB = 1000 B); 0 or absent = unlimited. */
  upKBps?: number;
  /** Cloud -> edge (Toxiproxy `downstream`) bandwidth in KB/s; 0 or absent = unlimited. */
  downKBps?: number;
  /** Round-trip time added, in ms: half is added to each direction. */
  latencyMs?: number;
  /** Round-trip jitter, in ms: each direction's delay varies by ± half of it. */
  jitterMs?: number;
}

const kbps = z.number().finite().nonnegative();
export const linkProfileSchema = z.object({
  upKBps: kbps.optional(),
  downKBps: kbps.optional(),
  latencyMs: z.number().finite().nonnegative().optional(),
  jitterMs: z.number().finite().nonnegative().optional(),
});

/** A toxic to create on the proxy (body of POST /proxies/{name}/toxics). */
export interface ToxicSpec {
  name: string;
  type: 'latency' | 'bandwidth';
  stream: StreamDirection;
  toxicity: number;
  attributes: Record<string, number>;
}

/** Names of the toxics `applyProfile` manages (other toxics on the proxy are left alone). */
export const PROFILE_TOXIC_PREFIX = 'link_';

/**
 * The toxics that realise a profile, per direction in chain order: latency before bandwidth, so a
 * message of n bytes takes latency + n / rate one way (a bandwidth toxic placed first would let its
 * queueing delay hide the latency: Toxiproxy's latency counts from when data entered the proxy).
 * Toxiproxy takes integers: rates are rounded to whole KB/s (at least 1), times to whole ms.
 */
export function profileToxics(profile: LinkProfile): Record<StreamDirection, ToxicSpec[]> {
  const latency = Math.round(profile.latencyMs ?? 0);
  const jitter = Math.round(profile.jitterMs ?? 0);
  const split = (total: number): Record<StreamDirection, number> => {
    const up = Math.floor(total / 2);
    return { upstream: up, downstream: total - up };
  };
  const latencies = split(latency);
  const jitters = split(jitter);
  const rates: Record<StreamDirection, number> = { upstream: profile.upKBps ?? 0, downstream: profile.downKBps ?? 0 };
  const result: Record<StreamDirection, ToxicSpec[]> = { upstream: [], downstream: [] };
  for (const stream of ['upstream', 'downstream'] as const) {
    const short = stream === 'upstream' ? 'up' : 'down';
    if (latencies[stream] > 0 || jitters[stream] > 0) {
      result[stream].push({
        name: `${PROFILE_TOXIC_PREFIX}latency_${short}`,
        type: 'latency',
        stream,
        toxicity: 1,
        attributes: { latency: latencies[stream], jitter: jitters[stream] },
      });
    }
    if (rates[stream] > 0) {
      result[stream].push({
        name: `${PROFILE_TOXIC_PREFIX}bandwidth_${short}`,
        type: 'bandwidth',
        stream,
        toxicity: 1,
        attributes: { rate: Math.max(1, Math.round(rates[stream])) },
      });
    }
  }
  return result;
}
