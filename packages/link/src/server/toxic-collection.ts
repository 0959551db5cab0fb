import { toxicKind } from '../toxics/registry.js';
import type { StreamDirection, ToxicAttributes, ToxicKind } from '../toxics/toxic-types.js';
import { ErrBadRequestBody, ErrInvalidStream, ErrInvalidToxicType, ErrToxicAlreadyExists, ErrToxicNotFound } from './api-error.js';
import { parseBody, toxicBodySchema } from './request-bodies.js';
import type { ToxicLink } from './toxic-link.js';
import type { ToxicState } from './toxic-state.js';

const DIRECTIONS: readonly StreamDirection[] = ['upstream', 'downstream'];

function parseDirection(stream: string): StreamDirection | undefined {
  const lower = stream.toLowerCase();
  return lower === 'upstream' || lower === 'downstream' ? lower : undefined;
}

function parseAttributes(kind: ToxicKind, base: ToxicAttributes, input: Record<string, unknown> | null | undefined): ToxicAttributes {
  const merged: Record<string, unknown> = { ...base };
  for (const key of Object.keys(kind.defaults)) {
    if (input && input[key] !== undefined) merged[key] = input[key];
  }
  return parseBody(kind.schema, merged, ErrBadRequestBody.with('attributes'));
}

/**
 * The toxics of one proxy, a chain per direction in order of addition (Toxiproxy's ToxicCollection),
 * and the live links of its connections, which follow every change.
 */
export class ToxicCollection {
  private readonly chains: Record<StreamDirection, ToxicState[]> = { upstream: [], downstream: [] };
  private readonly links = new Set<ToxicLink>();

  /** All toxics: the upstream chain, then the downstream chain. */
  list(): ToxicState[] {
    return [...this.chains.upstream, ...this.chains.downstream];
  }

  chain(direction: StreamDirection): readonly ToxicState[] {
    return this.chains[direction];
  }

  find(name: string): ToxicState | undefined {
    return this.list().find((t) => t.name === name);
  }

  get(name: string): ToxicState {
    const toxic = this.find(name);
    if (!toxic) throw ErrToxicNotFound;
    return toxic;
  }

  /** Adds a toxic from a request body (defaults: stream downstream, toxicity 1, name <type>_<stream>). */
  add(rawBody: unknown): ToxicState {
    const body = parseBody(toxicBodySchema, rawBody);
    const streamName = body.stream ?? 'downstream';
    const stream = parseDirection(streamName);
    if (!stream) throw ErrInvalidStream;
    const type = body.type ?? '';
    const name = body.name || `${type}_${streamName}`;
    const kind = toxicKind(type);
    if (!kind) throw ErrInvalidToxicType;
    if (this.find(name)) throw ErrToxicAlreadyExists;
    const attributes = parseAttributes(kind, kind.defaults, body.attributes);
    const toxic: ToxicState = { name, type, stream, kind, toxicity: body.toxicity ?? 1, attributes };
    this.chains[stream].push(toxic);
    for (const link of this.links) if (link.direction === stream) link.addToxic(toxic);
    return toxic;
  }

  /** Updates attributes and/or toxicity; attributes not given keep their values. */
  update(name: string, rawBody: unknown): ToxicState {
    const toxic = this.get(name);
    const body = parseBody(toxicBodySchema, rawBody);
    const attributes = parseAttributes(toxic.kind, toxic.attributes, body.attributes);
    toxic.attributes = attributes;
    if (body.toxicity !== undefined) toxic.toxicity = body.toxicity;
    for (const link of this.links) if (link.direction === toxic.stream) link.updateToxic(toxic);
    return toxic;
  }

  remove(name: string): void {
    const toxic = this.get(name);
    const chain = this.chains[toxic.stream];
    chain.splice(chain.indexOf(toxic), 1);
    for (const link of this.links) if (link.direction === toxic.stream) link.removeToxic(toxic);
  }

  /** Removes every toxic. */
  reset(): void {
    for (const direction of DIRECTIONS) {
      for (const toxic of [...this.chains[direction]]) this.remove(toxic.name);
    }
  }

  attach(link: ToxicLink): void {
    this.links.add(link);
  }

  detach(link: ToxicLink): void {
    this.links.delete(link);
  }
}
