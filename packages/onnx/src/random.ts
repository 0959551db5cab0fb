import type { TensorData } from './session.js';

/** Seeded values for an input of ONNX Runtime type `type`: [0, 1) for floats, 0..255 for uint8, 0/1 for other integers. */
export function randomInput(type: string, per: readonly number[], batch: number, seed: number): TensorData {
  let s = seed >>> 0;
  const n = batch * per.reduce((a, b) => a * b, 1);
  const scale = type === 'uint8' ? 256 : type.startsWith('float') ? 1 : 2;
  const data = Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = (s / 2 ** 32) * scale;
    return scale === 1 ? r : Math.floor(r);
  });
  return { data, shape: [batch, ...per] };
}
