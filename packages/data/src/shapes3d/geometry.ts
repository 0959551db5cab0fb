import { ORIENTATIONS, SCALES } from './factors.js';
import { camera, normalize, rayDirection } from './camera.js';
import { TRACERS, type Vec3 } from './objects.js';
import { FLOOR, hitScene, OBJECT, type SceneHit } from './scene.js';

/**
 * Geometry of one (shape, scale, orientation) view, independent of colours: for every pixel, the
 * shading-weighted coverage of floor, walls and object plus a white specular term (4 floats per pixel).
 * A pixel's colour is then floorRGB*w0 + wallRGB*w1 + objectRGB*w2 + w3, which is exact because the
 * supersampled pixel is a linear mix of its subsamples.
 */
export const WEIGHTS_PER_PIXEL = 4;

const LIGHT = normalize([-0.45, 1.0, -0.6]); // towards the light: above, left, in front
const SHADOW = 0.5;

/** Subsamples per pixel side: 4x4 for images up to 32 px, else 3x3 (whose middle one is the pixel's centre). */
export function supersampling(height: number, width: number): number {
  return Math.max(height, width) <= 32 ? 4 : 3;
}

const cache = new Map<string, Float32Array>();

/** Cached geometry weights (height*width*4 floats) of a view; `width` defaults to `height` (square). */
export function viewWeights(shape: number, scale: number, orientation: number, height: number, width = height): Float32Array {
  const key = `${height}x${width}:${shape}:${scale}:${orientation}`;
  let w = cache.get(key);
  if (!w) {
    w = traceView(shape, SCALES[scale], ORIENTATIONS[orientation], height, width);
    cache.set(key, w);
  }
  return w;
}

/** Bytes held by the view-weights cache (at most 480 views per image size). */
export function viewWeightsCacheBytes(): number {
  let bytes = 0;
  for (const w of cache.values()) bytes += w.byteLength;
  return bytes;
}

/** Shading weights of one subsample, added into acc = [floor, wall, object, specular]. */
interface Shader {
  acc: Float64Array;
  n: Vec3;
  scratch: Vec3;
  p: Vec3;
  hit: SceneHit;
}

function shadeRay(sh: Shader, shape: number, a: number, cam: Vec3, d: Vec3): void {
  const trace = TRACERS[shape];
  const { acc, n, p, hit } = sh;
  hitScene(trace, a, cam, d, n, hit);
  if (hit.surface === OBJECT) {
    const nl = n[0] * LIGHT[0] + n[1] * LIGHT[1] + n[2] * LIGHT[2];
    acc[2] += 0.3 + 0.7 * Math.max(0, nl);
    if (nl > 0) {
      // Phong highlight: reflect the light about n and compare with the direction to the eye
      const rv = -((2 * nl * n[0] - LIGHT[0]) * d[0] + (2 * nl * n[1] - LIGHT[1]) * d[1] + (2 * nl * n[2] - LIGHT[2]) * d[2]);
      if (rv > 0) acc[3] += 0.35 * rv ** 24;
    }
    return;
  }
  const t = hit.t;
  p[0] = cam[0] + t * d[0];
  p[1] = cam[1] + t * d[1];
  p[2] = cam[2] + t * d[2];
  const lit = trace(a, p, LIGHT, sh.scratch) < Infinity ? SHADOW : 1;
  if (hit.surface === FLOOR) {
    // floor: lit from above, darker with distance (a visible gradient towards the back)
    const g = Math.min(1, Math.max(0.45, 1.25 - 0.075 * t));
    acc[0] += (0.3 + 0.7 * LIGHT[1]) * g * lit;
  } else {
    const nl = Math.max(0, n[0] * LIGHT[0] + n[2] * LIGHT[2]);
    const h = Math.max(0.7, 1 - 0.06 * p[1]); // slightly darker towards the top
    acc[1] += (0.45 + 0.55 * nl) * h * lit;
  }
}

function traceView(shape: number, a: number, azimuthDeg: number, height: number, width: number): Float32Array {
  const cam = camera(azimuthDeg, width / height);
  const ss = supersampling(height, width);
  const out = new Float32Array(height * width * WEIGHTS_PER_PIXEL);
  const sh: Shader = { acc: new Float64Array(4), n: [0, 0, 0], scratch: [0, 0, 0], p: [0, 0, 0], hit: { surface: 0, t: 0 } };
  const d: Vec3 = [0, 0, 0];
  const inv = 1 / (ss * ss);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      sh.acc.fill(0);
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          rayDirection(cam, height, width, px + (sx + 0.5) / ss, py + (sy + 0.5) / ss, d);
          shadeRay(sh, shape, a, cam.pos, d);
        }
      }
      const o = (py * width + px) * WEIGHTS_PER_PIXEL;
      for (let k = 0; k < WEIGHTS_PER_PIXEL; k++) out[o + k] = sh.acc[k] * inv;
    }
  }
  return out;
}
