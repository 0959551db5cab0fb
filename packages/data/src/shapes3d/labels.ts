import { camera, rayDirection, type Camera } from './camera.js';
import { OBJECT_CLASS_BASE, roomClass } from './classes.js';
import { ORIENTATIONS, SCALES } from './factors.js';
import { TRACERS, type Vec3 } from './objects.js';
import { hitScene, OBJECT, type SceneHit } from './scene.js';

/**
 * Dense labels of one (shape, scale, orientation) view, one value per pixel from the ray through the
 * pixel's centre (the middle subsample of the image's 3x3 supersampling, so an object pixel of the
 * class map is always one the image's object coverage touches):
 * - classMap: index into SEMANTIC_CLASSES;
 * - depth: distance of the hit along the camera's axis (z-depth), in scene units (the room is 6.8
 *   wide; the camera stands 5.6 from the object);
 * - normals: unit surface normal in the camera's frame, 3 per pixel: x towards the image's right,
 *   y towards its top, z towards the camera (the normal faces the pixel's ray: n . ray < 0).
 * They do not depend on colours or noise.
 */
export interface ViewLabels {
  classMap: Uint8Array;
  depth: Float32Array;
  normals: Float32Array;
}

const cache = new Map<string, ViewLabels>();

/** Cached dense labels of a view at height x width (17 bytes per pixel). */
export function viewLabels(shape: number, scale: number, orientation: number, height: number, width: number): ViewLabels {
  const key = `${height}x${width}:${shape}:${scale}:${orientation}`;
  let v = cache.get(key);
  if (!v) {
    v = traceLabels(shape, SCALES[scale], ORIENTATIONS[orientation], height, width);
    cache.set(key, v);
  }
  return v;
}

/** Bytes held by the dense-label cache (at most 480 views per image size). */
export function viewLabelsCacheBytes(): number {
  let bytes = 0;
  for (const v of cache.values()) bytes += v.classMap.byteLength + v.depth.byteLength + v.normals.byteLength;
  return bytes;
}

function traceLabels(shape: number, a: number, azimuthDeg: number, height: number, width: number): ViewLabels {
  const cam = camera(azimuthDeg, width / height);
  const out: ViewLabels = {
    classMap: new Uint8Array(height * width),
    depth: new Float32Array(height * width),
    normals: new Float32Array(height * width * 3),
  };
  const d: Vec3 = [0, 0, 0];
  const n: Vec3 = [0, 0, 0];
  const hit: SceneHit = { surface: 0, t: 0 };
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      rayDirection(cam, height, width, px + 0.5, py + 0.5, d);
      hitScene(TRACERS[shape], a, cam.pos, d, n, hit);
      writePixel(out, py * width + px, shape, cam, d, n, hit);
    }
  }
  return out;
}

function writePixel(out: ViewLabels, i: number, shape: number, cam: Camera, d: Vec3, n: Vec3, hit: SceneHit): void {
  out.classMap[i] = hit.surface === OBJECT ? OBJECT_CLASS_BASE + shape : roomClass(hit.surface);
  out.depth[i] = hit.t * (d[0] * cam.fwd[0] + d[1] * cam.fwd[1] + d[2] * cam.fwd[2]);
  const { right, up, fwd } = cam;
  const x = n[0] * right[0] + n[1] * right[1] + n[2] * right[2];
  const y = n[0] * up[0] + n[1] * up[1] + n[2] * up[2];
  const z = -(n[0] * fwd[0] + n[1] * fwd[1] + n[2] * fwd[2]);
  const l = Math.hypot(x, y, z);
  out.normals[i * 3] = x / l;
  out.normals[i * 3 + 1] = y / l;
  out.normals[i * 3 + 2] = z / l;
}

const noObject = (): number => Infinity;
const depthMaxCache = new Map<string, number>();

/** The largest depth of any pixel at height x width over every orientation: the empty room's (an object only occludes). */
export function depthMax(height: number, width: number): number {
  const key = `${height}x${width}`;
  let max = depthMaxCache.get(key);
  if (max === undefined) {
    max = 0;
    const d: Vec3 = [0, 0, 0];
    const n: Vec3 = [0, 0, 0];
    const hit: SceneHit = { surface: 0, t: 0 };
    for (const az of ORIENTATIONS) {
      const cam = camera(az, width / height);
      for (let py = 0; py < height; py++) {
        for (let px = 0; px < width; px++) {
          rayDirection(cam, height, width, px + 0.5, py + 0.5, d);
          hitScene(noObject, 0, cam.pos, d, n, hit);
          max = Math.max(max, hit.t * (d[0] * cam.fwd[0] + d[1] * cam.fwd[1] + d[2] * cam.fwd[2]));
        }
      }
    }
    depthMaxCache.set(key, max);
  }
  return max;
}
