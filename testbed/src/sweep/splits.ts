import { IMAGE_CODECS } from '@mtl-split/codec';

/** Image codecs (png, jpeg, webp) send the camera's picture: only at the input split. */
export function forCodec(names: string[], codec: string): string[] {
  return (IMAGE_CODECS as readonly string[]).includes(codec) ? names.filter((x) => x === 'input') : names;
}
