import { bandwidthToxic } from './bandwidth.js';
import { latencyToxic } from './latency.js';
import { limitDataToxic } from './limit-data.js';
import { resetPeerToxic } from './reset-peer.js';
import { slicerToxic } from './slicer.js';
import { slowCloseToxic } from './slow-close.js';
import { timeoutToxic } from './timeout.js';
import type { ToxicAttributes, ToxicKind } from './toxic-types.js';

const kinds = new Map<string, ToxicKind>();

/** Registers a toxic type under its name (a later registration of the same name replaces it). */
export function registerToxic<A extends ToxicAttributes>(kind: ToxicKind<A>): void {
  kinds.set(kind.type, kind as unknown as ToxicKind);
}

/** The toxic type registered under `type`, if any. */
export function toxicKind(type: string): ToxicKind | undefined {
  return kinds.get(type);
}

/** Names of all registered toxic types. */
export function toxicTypes(): string[] {
  return [...kinds.keys()].sort();
}

registerToxic(latencyToxic);
registerToxic(bandwidthToxic);
registerToxic(timeoutToxic);
registerToxic(resetPeerToxic);
registerToxic(slowCloseToxic);
registerToxic(slicerToxic);
registerToxic(limitDataToxic);
