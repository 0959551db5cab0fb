/**
 * Ray intersection with the four object shapes, all resting on the floor (y = 0) at the origin.
 * `a` is the scale multiplier. Each function returns the nearest t > EPS or Infinity, and writes the
 * unit surface normal at the hit into `n`.
 */
export const EPS = 1e-4;
export type Vec3 = [number, number, number];
export type ShapeTracer = (a: number, o: Vec3, d: Vec3, n: Vec3) => number;

/** Half-extent of the cube, radius of the cylinder, radius of the sphere, per unit of scale. */
const HALF = 0.75;
const SPHERE_R = 0.82;
const CAPSULE_R = 0.56;
const CAPSULE_HALF_LEN = 0.8;

export const traceCube: ShapeTracer = (a, o, d, n) => {
  const h = HALF * a;
  const lo = [-h, 0, -h];
  const hi = [h, 2 * h, h];
  let tmin = -Infinity;
  let tmax = Infinity;
  let axis = 0;
  let sign = 1;
  for (let i = 0; i < 3; i++) {
    if (Math.abs(d[i]) < 1e-12) {
      if (o[i] < lo[i] || o[i] > hi[i]) return Infinity;
      continue;
    }
    let t1 = (lo[i] - o[i]) / d[i];
    let t2 = (hi[i] - o[i]) / d[i];
    let s = -1;
    if (t1 > t2) {
      const t = t1;
      t1 = t2;
      t2 = t;
      s = 1;
    }
    if (t1 > tmin) {
      tmin = t1;
      axis = i;
      sign = s;
    }
    if (t2 < tmax) tmax = t2;
  }
  if (tmin > tmax || tmin < EPS) return Infinity;
  n[0] = n[1] = n[2] = 0;
  n[axis] = sign;
  return tmin;
};

export const traceCylinder: ShapeTracer = (a, o, d, n) => {
  const r = HALF * a;
  const top = 2 * HALF * a;
  let best = Infinity;
  const qa = d[0] * d[0] + d[2] * d[2];
  if (qa > 1e-12) {
    const qb = 2 * (o[0] * d[0] + o[2] * d[2]);
    const qc = o[0] * o[0] + o[2] * o[2] - r * r;
    const disc = qb * qb - 4 * qa * qc;
    if (disc >= 0) {
      const t = (-qb - Math.sqrt(disc)) / (2 * qa);
      const y = o[1] + t * d[1];
      if (t > EPS && y >= 0 && y <= top) {
        best = t;
        n[0] = (o[0] + t * d[0]) / r;
        n[1] = 0;
        n[2] = (o[2] + t * d[2]) / r;
      }
    }
  }
  if (d[1] < 0) {
    const t = (top - o[1]) / d[1];
    const x = o[0] + t * d[0];
    const z = o[2] + t * d[2];
    if (t > EPS && t < best && x * x + z * z <= r * r) {
      best = t;
      n[0] = 0;
      n[1] = 1;
      n[2] = 0;
    }
  }
  return best;
};

function sphereHit(cx: number, cy: number, cz: number, r: number, o: Vec3, d: Vec3): number {
  const ox = o[0] - cx;
  const oy = o[1] - cy;
  const oz = o[2] - cz;
  const b = ox * d[0] + oy * d[1] + oz * d[2];
  const dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
  const c = ox * ox + oy * oy + oz * oz - r * r;
  const disc = b * b - dd * c;
  if (disc < 0) return Infinity;
  const t = (-b - Math.sqrt(disc)) / dd;
  return t > EPS ? t : Infinity;
}

export const traceSphere: ShapeTracer = (a, o, d, n) => {
  const r = SPHERE_R * a;
  const t = sphereHit(0, r, 0, r, o, d);
  if (t < Infinity) {
    n[0] = (o[0] + t * d[0]) / r;
    n[1] = (o[1] + t * d[1] - r) / r;
    n[2] = (o[2] + t * d[2]) / r;
  }
  return t;
};

/** A pill lying on the floor along the x axis: a cylinder of radius r between two hemispheres. */
export const traceCapsule: ShapeTracer = (a, o, d, n) => {
  const r = CAPSULE_R * a;
  const L = CAPSULE_HALF_LEN * a;
  let best = Infinity;
  let cx = 0; // axis point of the hit, for the normal
  const qa = d[1] * d[1] + d[2] * d[2];
  if (qa > 1e-12) {
    const oy = o[1] - r;
    const qb = 2 * (oy * d[1] + o[2] * d[2]);
    const qc = oy * oy + o[2] * o[2] - r * r;
    const disc = qb * qb - 4 * qa * qc;
    if (disc >= 0) {
      const t = (-qb - Math.sqrt(disc)) / (2 * qa);
      const x = o[0] + t * d[0];
      if (t > EPS && x >= -L && x <= L) {
        best = t;
        cx = x;
      }
    }
  }
  for (const ex of [-L, L]) {
    const t = sphereHit(ex, r, 0, r, o, d);
    if (t < best) {
      best = t;
      cx = ex;
    }
  }
  if (best < Infinity) {
    n[0] = (o[0] + best * d[0] - cx) / r;
    n[1] = (o[1] + best * d[1] - r) / r;
    n[2] = (o[2] + best * d[2]) / r;
  }
  return best;
};

export const TRACERS: ShapeTracer[] = [traceCube, traceCylinder, traceSphere, traceCapsule];
