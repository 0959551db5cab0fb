import { camera, rayDirection, type Camera } from './camera.js';
import { OBJECT_CLASS_BASE, roomClass } from './classes.js';
import { ORIENTATIONS, SCALES } from './factors.js';
import { TRACERS, type ShapeTracer, type Vec3 } from './objects.js';
import { hitScene, OBJECT, type SceneHit } from './scene.js';

/**
 * Dense labels of a view, one value per pixel from the ray through the pixel's centre (the middle
 * subsample of the image's 3x3 supersampling, so an object pixel of the class map is always one the
 * image's object coverage touches):
 * - classMap: index into SEMANTIC_CLASSES;
 * - depth: distance of the hit along the camera's axis (z-depth), in scene units (the room is 6.8
 *   wide; the camera stands 5.6 from the object);
 * - normals: unit surface normal in the camera's frame, 3 per pixel: x towards the image's right,
 *   y towards its top, z towards the camera (the normal faces the pixel's ray: n . ray < 0).
 * They do not depend on colours or noise.
 *
 * A pixel's label is the object's where its ray hits the object first, else the empty room's; so the
 * caches hold the empty room once per orientation (15) and, per (shape, scale, orientation) view, only
 * the object's pixels.
 */
export interface ViewLabels {
  classMap: Uint8Array;
  depth: Float32Array;
  normals: Float32Array;
}

/** The object's pixels of one view: their indices, depths and normals (3 each). */
interface ObjectLabels {
  pixels: Uint32Array;
  depth: Float32Array;
  normals: Float32Array;
}

const rooms = new Map<string, ViewLabels>();
const objects = new Map<string, ObjectLabels>();
const noObject: ShapeTracer = () => Infinity;

/** Writes the labels of view (shape, scale, orientation) at height x width into `out` from pixel `at` on. */
export function writeViewLabels(
  shape: number,
  scale: number,
  orientation: number,
  height: number,
  width: number,
  out: ViewLabels,
  at: number,
): void {
  const room = roomLabels(orientation, height, width);
  out.classMap.set(room.classMap, at);
  out.depth.set(room.depth, at);
  out.normals.set(room.normals, at * 3);
  const obj = objectLabels(shape, scale, orientation, height, width);
  const cls = OBJECT_CLASS_BASE + shape;
  for (let k = 0; k < obj.pixels.length; k++) {
    const p = at + obj.pixels[k];
    out.classMap[p] = cls;
    out.depth[p] = obj.depth[k];
    out.normals[p * 3] = obj.normals[k * 3];
    out.normals[p * 3 + 1] = obj.normals[k * 3 + 1];
    out.normals[p * 3 + 2] = obj.normals[k * 3 + 2];
  }
}

/** Bytes held by the label caches (15 rooms and at most 480 objects' pixels per image size). */
export function viewLabelsCacheBytes(): number {
  let bytes = 0;
  for (const v of rooms.values()) bytes += v.classMap.byteLength + v.depth.byteLength + v.normals.byteLength;
  for (const v of objects.values()) bytes += v.pixels.byteLength + v.depth.byteLength + v.normals.byteLength;
  return bytes;
}

/** The largest depth of any pixel at height x width over every orientation: the empty room's (an object only occludes). */
export function depthMax(height: number, width: number): number {
  let max = 0;
  for (let o = 0; o < ORIENTATIONS.length; o++) for (const d of roomLabels(o, height, width).depth) max = Math.max(max, d);
  return max;
}

/** Labels of the empty room seen from `orientation` (cached). */
function roomLabels(orientation: number, height: number, width: number): ViewLabels {
  const key = `${height}x${width}:${orientation}`;
  let room = rooms.get(key);
  if (!room) {
    const px = height * width;
    room = { classMap: new Uint8Array(px), depth: new Float32Array(px), normals: new Float32Array(px * 3) };
    const r = room;
    traceCentres(noObject, 0, orientation, height, width, (p, cam, d, n, hit) => {
      r.classMap[p] = roomClass(hit.surface);
      r.depth[p] = zDepth(cam, d, hit.t);
      cameraNormal(cam, n, r.normals, p * 3);
    });
    rooms.set(key, room);
  }
  return room;
}

/** The object's pixels of view (shape, scale, orientation): those whose ray hits it before the room (cached). */
function objectLabels(shape: number, scale: number, orientation: number, height: number, width: number): ObjectLabels {
  const key = `${height}x${width}:${shape}:${scale}:${orientation}`;
  let obj = objects.get(key);
  if (!obj) {
    const pixels: number[] = [];
    const depth: number[] = [];
    const normals: number[] = [];
    const n3 = new Float32Array(3);
    traceCentres(TRACERS[shape], SCALES[scale], orientation, height, width, (p, cam, d, n, hit) => {
      if (hit.surface !== OBJECT) return;
      pixels.push(p);
      depth.push(zDepth(cam, d, hit.t));
      cameraNormal(cam, n, n3, 0);
      normals.push(n3[0], n3[1], n3[2]);
    });
    obj = { pixels: Uint32Array.from(pixels), depth: Float32Array.from(depth), normals: Float32Array.from(normals) };
    objects.set(key, obj);
  }
  return obj;
}

type PixelHit = (p: number, cam: Camera, d: Vec3, n: Vec3, hit: SceneHit) => void;

/** Traces the ray through every pixel's centre of the view and hands each hit to `visit`. */
function traceCentres(trace: ShapeTracer, a: number, orientation: number, height: number, width: number, visit: PixelHit): void {
  const cam = camera(ORIENTATIONS[orientation], width / height);
  const d: Vec3 = [0, 0, 0];
  const n: Vec3 = [0, 0, 0];
  const hit: SceneHit = { surface: 0, t: 0 };
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      rayDirection(cam, height, width, px + 0.5, py + 0.5, d);
      hitScene(trace, a, cam.pos, d, n, hit);
      visit(py * width + px, cam, d, n, hit);
    }
  }
}

function zDepth(cam: Camera, d: Vec3, t: number): number {
  return t * (d[0] * cam.fwd[0] + d[1] * cam.fwd[1] + d[2] * cam.fwd[2]);
}

/** The world-frame normal n in the camera's frame (x right, y up, z towards the camera), unit length, into out[at..at+2]. */
function cameraNormal(cam: Camera, n: Vec3, out: Float32Array, at: number): void {
  const { right, up, fwd } = cam;
  const x = n[0] * right[0] + n[1] * right[1] + n[2] * right[2];
  const y = n[0] * up[0] + n[1] * up[1] + n[2] * up[2];
  const z = -(n[0] * fwd[0] + n[1] * fwd[1] + n[2] * fwd[2]);
  const l = Math.hypot(x, y, z);
  out[at] = x / l;
  out[at + 1] = y / l;
  out[at + 2] = z / l;
}
