import type { Vec3 } from './objects.js';

/**
 * The camera of the Shapes3D-like room: on a circle around the object at a fixed height, turned by the
 * orientation factor (azimuth), looking at a point above the object. The vertical field of view is
 * fixed; a wider image (width > height) sees more to the sides.
 */
export const CAM_DIST = 5.6;
export const CAM_HEIGHT = 3.1;
export const TARGET: Vec3 = [0, 0.6, 0];
export const FOV_DEG = 46; // vertical

export interface Camera {
  pos: Vec3;
  /** Unit viewing direction (the camera's axis); depth is measured along it. */
  fwd: Vec3;
  /** Unit vector towards the image's right edge. */
  right: Vec3;
  /** Unit vector towards the image's top edge. */
  up: Vec3;
  /** tan of half the vertical and of half the horizontal field of view. */
  tanHalfY: number;
  tanHalfX: number;
}

export function normalize(v: Vec3): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / l, v[1] / l, v[2] / l];
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** The camera at `azimuthDeg` for an image `width / height` times as wide as it is tall. */
export function camera(azimuthDeg: number, aspect: number): Camera {
  const az = (azimuthDeg * Math.PI) / 180;
  const pos: Vec3 = [CAM_DIST * Math.sin(az), CAM_HEIGHT, -CAM_DIST * Math.cos(az)];
  const fwd = normalize([TARGET[0] - pos[0], TARGET[1] - pos[1], TARGET[2] - pos[2]]);
  const right = normalize(cross([0, 1, 0], fwd));
  const up = cross(fwd, right);
  const tanHalfY = Math.tan(((FOV_DEG / 2) * Math.PI) / 180);
  return { pos, fwd, right, up, tanHalfY, tanHalfX: tanHalfY * aspect };
}

/**
 * Writes into `d` the unit direction of the ray through image point (fx, fy) of an h x w image, in
 * pixel units from the top-left corner (a pixel's centre is at +0.5).
 */
export function rayDirection(cam: Camera, h: number, w: number, fx: number, fy: number, d: Vec3): void {
  const u = ((fx / w) * 2 - 1) * cam.tanHalfX;
  const v = (1 - (fy / h) * 2) * cam.tanHalfY;
  d[0] = cam.fwd[0] + u * cam.right[0] + v * cam.up[0];
  d[1] = cam.fwd[1] + u * cam.right[1] + v * cam.up[1];
  d[2] = cam.fwd[2] + u * cam.right[2] + v * cam.up[2];
  const dl = Math.hypot(d[0], d[1], d[2]);
  d[0] /= dl;
  d[1] /= dl;
  d[2] /= dl;
}
