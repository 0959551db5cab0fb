import { CodecError } from '../errors.js';
import type { Codec, CodecName } from '../types.js';
import { f16 } from './f16.js';
import { f32 } from './f32.js';
import { int8Channel } from './int8-channel.js';
import { int8 } from './int8.js';
import { uint4 } from './uint4.js';
import { png } from './png.js';
import { jpeg } from './jpeg.js';
import { webp } from './webp.js';
import { u8 } from './u8.js';

const ALL: readonly Codec[] = [f32, f16, int8, int8Channel, uint4, png, jpeg, webp, u8];

/** The image codecs (an image file as the payload; meant for the `input` split). */
export const IMAGE_CODECS: readonly CodecName[] = Object.freeze(ALL.filter((c) => c.image).map((c) => c.name));

/** Registered codec names, in id order. */
export const CODECS: readonly CodecName[] = Object.freeze(ALL.map((c) => c.name));

const byId = new Map<number, Codec>(ALL.map((c) => [c.id, c]));
const byName = new Map<string, Codec>(ALL.map((c) => [c.name, c]));

/** The codec named `name`; throws CodecError('unknown-codec') naming the valid ones. */
export function getCodec(name: string): Codec {
  const c = byName.get(name);
  if (c === undefined) {
    throw new CodecError('unknown-codec', `unknown codec ${JSON.stringify(name)}; valid: ${CODECS.join(', ')}`);
  }
  return c;
}

export function codecById(id: number): Codec {
  const c = byId.get(id);
  if (c === undefined) {
    throw new CodecError(
      'unknown-codec',
      `frame uses codec id ${id}, which this reader does not know (known: ${ALL.map((x) => `${x.id}=${x.name}`).join(', ')})`,
    );
  }
  return c;
}
