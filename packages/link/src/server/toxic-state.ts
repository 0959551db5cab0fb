import type { StreamDirection, ToxicAttributes, ToxicKind } from '../toxics/toxic-types.js';

/** A toxic as configured on a proxy (Toxiproxy's ToxicWrapper). */
export interface ToxicState {
  readonly name: string;
  readonly type: string;
  readonly stream: StreamDirection;
  readonly kind: ToxicKind;
  toxicity: number;
  attributes: ToxicAttributes;
}

/** A toxic as the HTTP API shows it. */
export interface ToxicJson {
  attributes: ToxicAttributes;
  name: string;
  type: string;
  stream: StreamDirection;
  toxicity: number;
}

export function toxicJson(toxic: ToxicState): ToxicJson {
  return {
    attributes: { ...toxic.attributes },
    name: toxic.name,
    type: toxic.type,
    stream: toxic.stream,
    toxicity: toxic.toxicity,
  };
}
