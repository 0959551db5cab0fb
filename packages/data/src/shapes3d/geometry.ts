import { ORIENTATIONS, SCALES } from './factors.js';
import { TRACERS, type Vec3 } from './objects.js';

/**
 * Geometry of one (shape, scale, orientation) view, independent of colours: for every pixel, the
 * shading-weighted coverage of floor, walls and object plus a white specular term (4 floats per pixel).
 * A pixel's colour is then floorRGB*w0 + wallRGB*w1 + objectRGB*w2 + w3, which is exact because the
 * supersampled pixel is a linear mix of its subsamples.
 */
export const WEIGHTS_PER_PIXEL = 4;

const ROOM_X = 3.4; // side walls at x = -ROOM_X and x = +ROOM_X
const ROOM_Z = 3.2; // back wall at z = +ROOM_Z
const CAM_DIST = 5.6;
const CAM_HEIGHT = 3.1;
const TARGET: Vec3 = [0, 0.6, 0];
const FOV_DEG = 46;
const LIGHT = normalize([-0.45, 1.0, -0.6]); // towards the light: above, left, in front
const SHADOW = 0.5;

function normalize(v: Vec3): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / l, v[1] / l, v[2] / l];
}
function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

const cache = new Map<string, Float32Array>();

/** Cached geometry weights (size*size*4 floats) of a view. */
export function viewWeights(shape: number, scale: number, orientation: number, size: number): Float32Array {
  const key = `${size}:${shape}:${scale}:${orientation}`;
  let w = cache.get(key);
  if (!w) {
    w = traceView(shape, SCALES[scale], ORIENTATIONS[orientation], size);
    cache.set(key, w);
  }
  return w;
}

function traceView(shape: number, a: number, azimuthDeg: number, size: number): Float32Array {
  const trace = TRACERS[shape];
  const az = (azimuthDeg * Math.PI) / 180;
  const cam: Vec3 = [CAM_DIST * Math.sin(az), CAM_HEIGHT, -CAM_DIST * Math.cos(az)];
  const fwd = normalize([TARGET[0] - cam[0], TARGET[1] - cam[1], TARGET[2] - cam[2]]);
  const right = normalize(cross([0, 1, 0], fwd));
  const up = cross(fwd, right);
  const tanHalf = Math.tan(((FOV_DEG / 2) * Math.PI) / 180);
  const ss = size <= 32 ? 4 : 3; // ss x ss subsamples per pixel
  const out = new Float32Array(size * size * WEIGHTS_PER_PIXEL);
  const n: Vec3 = [0, 0, 0];
  const scratchN: Vec3 = [0, 0, 0];
  const d: Vec3 = [0, 0, 0];
  const p: Vec3 = [0, 0, 0];
  const inv = 1 / (ss * ss);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let wf = 0;
      let ww = 0;
      let wo = 0;
      let ws = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const u = (((px + (sx + 0.5) / ss) / size) * 2 - 1) * tanHalf;
          const v = (1 - ((py + (sy + 0.5) / ss) / size) * 2) * tanHalf;
          d[0] = fwd[0] + u * right[0] + v * up[0];
          d[1] = fwd[1] + u * right[1] + v * up[1];
          d[2] = fwd[2] + u * right[2] + v * up[2];
          const dl = Math.hypot(d[0], d[1], d[2]);
          d[0] /= dl;
          d[1] /= dl;
          d[2] /= dl;
          const tObj = trace(a, cam, d, n);
          // room: floor and three walls (no ceiling: the camera looks down)
          const tFloor = d[1] < 0 ? -cam[1] / d[1] : Infinity;
          const tLeft = d[0] < 0 ? (-ROOM_X - cam[0]) / d[0] : Infinity;
          const tRight = d[0] > 0 ? (ROOM_X - cam[0]) / d[0] : Infinity;
          const tBack = d[2] > 0 ? (ROOM_Z - cam[2]) / d[2] : Infinity;
          const tWall = Math.min(tLeft, tRight, tBack);
          if (tObj < tFloor && tObj < tWall) {
            const nl = n[0] * LIGHT[0] + n[1] * LIGHT[1] + n[2] * LIGHT[2];
            wo += 0.3 + 0.7 * Math.max(0, nl);
            if (nl > 0) {
              // Phong highlight: reflect the light about n and compare with the direction to the eye
              const rx = 2 * nl * n[0] - LIGHT[0];
              const ry = 2 * nl * n[1] - LIGHT[1];
              const rz = 2 * nl * n[2] - LIGHT[2];
              const rv = -(rx * d[0] + ry * d[1] + rz * d[2]);
              if (rv > 0) ws += 0.35 * rv ** 24;
            }
            continue;
          }
          const t = Math.min(tFloor, tWall);
          p[0] = cam[0] + t * d[0];
          p[1] = cam[1] + t * d[1];
          p[2] = cam[2] + t * d[2];
          const lit = trace(a, p, LIGHT, scratchN) < Infinity ? SHADOW : 1;
          if (tFloor <= tWall) {
            // floor: lit from above, darker with distance (a visible gradient towards the back)
            const g = Math.min(1, Math.max(0.45, 1.25 - 0.075 * t));
            wf += (0.3 + 0.7 * LIGHT[1]) * g * lit;
          } else {
            const nx = t === tLeft ? 1 : t === tRight ? -1 : 0;
            const nz = t === tBack ? -1 : 0;
            const nl = Math.max(0, nx * LIGHT[0] + nz * LIGHT[2]);
            const h = Math.max(0.7, 1 - 0.06 * p[1]); // slightly darker towards the top
            ww += (0.45 + 0.55 * nl) * h * lit;
          }
        }
      }
      const o = (py * size + px) * WEIGHTS_PER_PIXEL;
      out[o] = wf * inv;
      out[o + 1] = ww * inv;
      out[o + 2] = wo * inv;
      out[o + 3] = ws * inv;
    }
  }
  return out;
}
