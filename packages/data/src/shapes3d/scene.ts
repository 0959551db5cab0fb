import type { ShapeTracer, Vec3 } from './objects.js';

/**
 * The room of the Shapes3D-like scene: a floor at y = 0, side walls at x = -ROOM_X (left) and
 * x = +ROOM_X (right), a back wall at z = +ROOM_Z, no ceiling (the camera looks down), and one object
 * on the floor at the origin.
 */
export const ROOM_X = 3.4;
export const ROOM_Z = 3.2;

/** What a ray hits first. */
export const SURFACES = ['floor', 'back_wall', 'left_wall', 'right_wall', 'object'] as const;
export type Surface = (typeof SURFACES)[number];
export const FLOOR = 0;
export const BACK_WALL = 1;
export const LEFT_WALL = 2;
export const RIGHT_WALL = 3;
export const OBJECT = 4;

/** The outcome of one ray: the surface (index into SURFACES) and the ray parameter t of the hit. */
export interface SceneHit {
  surface: number;
  t: number;
}

/**
 * Traces the ray o + t d (d unit length) through the scene with object `trace` at scale `a`: fills
 * `hit` and writes the unit surface normal at the hit (world frame) into `n`.
 */
export function hitScene(trace: ShapeTracer, a: number, o: Vec3, d: Vec3, n: Vec3, hit: SceneHit): void {
  const tObj = trace(a, o, d, n);
  const tFloor = d[1] < 0 ? -o[1] / d[1] : Infinity;
  const tLeft = d[0] < 0 ? (-ROOM_X - o[0]) / d[0] : Infinity;
  const tRight = d[0] > 0 ? (ROOM_X - o[0]) / d[0] : Infinity;
  const tBack = d[2] > 0 ? (ROOM_Z - o[2]) / d[2] : Infinity;
  const tWall = Math.min(tLeft, tRight, tBack);
  if (tObj < tFloor && tObj < tWall) {
    hit.surface = OBJECT;
    hit.t = tObj;
    return;
  }
  hit.t = Math.min(tFloor, tWall);
  if (tFloor <= tWall) {
    hit.surface = FLOOR;
    setNormal(n, 0, 1, 0);
  } else if (hit.t === tLeft) {
    hit.surface = LEFT_WALL;
    setNormal(n, 1, 0, 0);
  } else if (hit.t === tRight) {
    hit.surface = RIGHT_WALL;
    setNormal(n, -1, 0, 0);
  } else {
    hit.surface = BACK_WALL;
    setNormal(n, 0, 0, -1);
  }
}

function setNormal(n: Vec3, x: number, y: number, z: number): void {
  n[0] = x;
  n[1] = y;
  n[2] = z;
}
