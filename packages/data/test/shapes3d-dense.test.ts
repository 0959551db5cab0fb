import { describe, expect, it } from 'vitest';
import { DataError, denseSampleAt, isDenseDataset, loadDataset, type DenseBatch, type DenseDataset } from '../src/index.js';
import { CAM_DIST, CAM_HEIGHT, camera, rayDirection, TARGET } from '../src/shapes3d/camera.js';
import { ORIENTATIONS } from '../src/shapes3d/factors.js';
import { viewWeights } from '../src/shapes3d/geometry.js';
import { viewLabelsCacheBytes } from '../src/shapes3d/labels.js';
import { ROOM_X, ROOM_Z } from '../src/shapes3d/scene.js';
import type { Vec3 } from '../src/shapes3d/objects.js';

function dense(options: Record<string, unknown> = {}): DenseDataset {
  const ds = loadDataset('shapes3d-dense', options);
  if (!isDenseDataset(ds)) throw new Error('shapes3d-dense is not a DenseDataset');
  return ds;
}
const first = (ds: DenseDataset, split: 'train' | 'test', n: number): DenseBatch => [...ds.denseBatches(split, n, { limit: n })][0];
const bytesOf = (b: DenseBatch): Buffer =>
  Buffer.concat(
    [b.x, b.classMap, b.depth, b.normals, ...Object.values(b.labels)].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)),
  );

const CLASSES = ['floor', 'back_wall', 'side_wall', 'object_cube', 'object_cylinder', 'object_sphere', 'object_capsule'];

describe('shapes3d-dense', () => {
  it("defaults: 64x64 RGB, the paper's tasks and split, a clear class list, depth and normals described", () => {
    const ds = dense();
    expect(ds.name).toBe('shapes3d-dense');
    expect(ds.inputShape).toEqual([64, 64, 3]);
    expect(ds.tasks.map((t) => t.name)).toEqual(['scale', 'shape']);
    expect(ds.size('train')).toBe(15_000);
    expect(ds.size('test')).toBe(5_000);
    expect(ds.dense.classes).toEqual(CLASSES);
    expect(ds.dense.size).toEqual([64, 64]);
    expect(ds.dense.depthMax).toBeGreaterThan(8);
    expect(ds.dense.depthMax).toBeLessThan(12);
    const b = first(ds, 'test', 4);
    expect(b.x.length).toBe(4 * 64 * 64 * 3);
    expect(b.classMap.length).toBe(4 * 64 * 64);
    expect(b.depth.length).toBe(4 * 64 * 64);
    expect(b.normals.length).toBe(4 * 64 * 64 * 3);
    for (let i = 0; i < 4; i++) expect(b.labels.floor_hue).toBeUndefined();
  });

  it('renders 96x128 and 128x128 as well, with label maps of the same size', () => {
    for (const [resolution, h, w] of [
      ['96x128', 96, 128],
      ['128x128', 128, 128],
    ] as const) {
      const ds = dense({ resolution, samples: 40, noise: 'none' });
      expect(ds.inputShape).toEqual([h, w, 3]);
      expect(ds.dense.size).toEqual([h, w]);
      const s = ds.sample('train', 0);
      expect([s.image.length, s.classMap.length, s.depth.length, s.normals.length]).toEqual([h * w * 3, h * w, h * w, h * w * 3]);
      expect(new Set(s.classMap).size).toBeGreaterThanOrEqual(4); // floor, back wall, a side wall, the object
    }
  });

  it('labels are consistent: depth > 0, unit normals facing the camera, floors face up, each class lies on its surface', () => {
    const ds = dense({ seed: 4, samples: 400, noise: 'none', tasks: ['scale', 'shape', 'orientation'] });
    const [h, w] = ds.dense.size;
    // world up in the camera frame (x right, y up, z towards the camera): the camera looks down by `pitch`
    const pitch = Math.atan2(CAM_HEIGHT - TARGET[1], CAM_DIST);
    const upCam = [0, Math.cos(pitch), Math.sin(pitch)];
    const d: Vec3 = [0, 0, 0];
    const bad: Record<string, number> = { depth: 0, unit: 0, facing: 0, floor: 0, floorUp: 0, back: 0, side: 0, object: 0 };
    const perClass = new Array(7).fill(0);
    for (const b of ds.denseBatches('train', 50, { limit: 100 })) {
      for (let i = 0; i < b.n; i++) {
        const s = denseSampleAt(b, i);
        const cam = camera(ORIENTATIONS[s.labels.orientation], w / h);
        for (let p = 0; p < h * w; p++) {
          const depth = s.depth[p];
          if (!(depth > 0 && depth <= ds.dense.depthMax)) bad.depth++;
          const [nx, ny, nz] = [s.normals[p * 3], s.normals[p * 3 + 1], s.normals[p * 3 + 2]];
          if (Math.abs(Math.hypot(nx, ny, nz) - 1) > 1e-5) bad.unit++;
          rayDirection(cam, h, w, (p % w) + 0.5, Math.floor(p / w) + 0.5, d);
          const along = d[0] * cam.fwd[0] + d[1] * cam.fwd[1] + d[2] * cam.fwd[2];
          // the normal faces the ray: the ray in the camera frame is (d.right, d.up, -d.fwd)
          const dRight = d[0] * cam.right[0] + d[1] * cam.right[1] + d[2] * cam.right[2];
          const dUp = d[0] * cam.up[0] + d[1] * cam.up[1] + d[2] * cam.up[2];
          if (nx * dRight + ny * dUp - nz * along >= 0) bad.facing++;
          // the 3-D point from the pixel's ray and the depth lies on the surface its class names
          const t = depth / along;
          const q = [cam.pos[0] + t * d[0], cam.pos[1] + t * d[1], cam.pos[2] + t * d[2]];
          const c = s.classMap[p];
          perClass[c]++;
          if (c === 0) {
            if (Math.abs(q[1]) > 1e-3) bad.floor++;
            if (Math.abs(nx - upCam[0]) + Math.abs(ny - upCam[1]) + Math.abs(nz - upCam[2]) > 1e-5) bad.floorUp++;
          } else if (c === 1) {
            if (Math.abs(q[2] - ROOM_Z) > 1e-3) bad.back++;
          } else if (c === 2) {
            if (Math.abs(Math.abs(q[0]) - ROOM_X) > 1e-3) bad.side++;
          } else if (c !== 3 + s.labels.shape || Math.hypot(q[0], q[2]) > 2 || q[1] < -1e-3) bad.object++;
        }
      }
    }
    expect(bad).toEqual({ depth: 0, unit: 0, facing: 0, floor: 0, floorUp: 0, back: 0, side: 0, object: 0 });
    for (const c of [0, 1, 2]) expect(perClass[c]).toBeGreaterThan(100 * 64 * 4); // every room class on every image, on average
    expect(perClass.slice(3).reduce((a, b) => a + b, 0)).toBeGreaterThan(100 * 20);
    expect(perClass.reduce((a, b) => a + b, 0)).toBe(100 * h * w);
  }, 60_000);

  it("the class map agrees with the image's object mask", () => {
    const ds = dense({ seed: 9, samples: 400, noise: 'none', tasks: ['scale', 'shape', 'orientation'] });
    let objectPixels = 0;
    let outside = 0;
    let missed = 0;
    for (const b of ds.denseBatches('test', 50, { limit: 100 })) {
      for (let i = 0; i < b.n; i++) {
        const s = denseSampleAt(b, i);
        const wts = viewWeights(s.labels.shape, s.labels.scale, s.labels.orientation, 64);
        let inClassMap = 0;
        let covered = 0;
        for (let p = 0; p < 64 * 64; p++) {
          const isObject = s.classMap[p] >= 3;
          const object = wts[p * 4 + 2] > 0;
          const onlyObject = object && wts[p * 4] === 0 && wts[p * 4 + 1] === 0;
          if (isObject && !object) outside++; // the class map's object lies inside the image's
          if (onlyObject && !isObject) missed++; // pixels wholly covered by the object are object
          if (isObject) inClassMap++;
          if (object) covered++;
        }
        expect(inClassMap).toBeGreaterThan(20);
        expect(inClassMap).toBeGreaterThan(0.6 * covered);
        objectPixels += inClassMap;
      }
    }
    expect([outside, missed]).toEqual([0, 0]);
    expect(objectPixels).toBeGreaterThan(100 * 20);
  }, 60_000);

  it('the out-of-distribution rule of the paper holds on every sample', () => {
    const ds = dense({ seed: 2, samples: 200, noise: 'none', tasks: ['floor_hue', 'wall_hue', 'scale', 'shape'] });
    for (const split of ['train', 'test'] as const) {
      for (const b of ds.batches(split, 100)) {
        for (let i = 0; i < b.n; i++) expect(b.labels.floor_hue[i] >= 5 && b.labels.wall_hue[i] >= 5).toBe(split === 'test');
      }
    }
  }, 60_000);

  it('is deterministic by seed; sample() matches the batches; another seed differs', () => {
    const a = bytesOf(first(dense({ seed: 11, samples: 200 }), 'train', 20));
    const b = bytesOf(first(dense({ seed: 11, samples: 200 }), 'train', 20));
    const c = bytesOf(first(dense({ seed: 12, samples: 200 }), 'train', 20));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    const ds = dense({ seed: 11, samples: 200 });
    const [batch] = [...ds.denseBatches('train', 8, { shuffle: true, seed: 3, limit: 8 })];
    const plain = [...ds.batches('train', 8, { shuffle: true, seed: 3, limit: 8 })][0];
    expect(Buffer.from(plain.x.buffer).equals(Buffer.from(batch.x.buffer))).toBe(true);
    expect('classMap' in plain).toBe(false);
    const s0 = ds.sample('train', 0);
    const b0 = denseSampleAt(first(ds, 'train', 1), 0);
    expect(Buffer.from(s0.image.buffer).equals(Buffer.from(b0.image.buffer))).toBe(true);
    expect([...s0.classMap]).toEqual([...b0.classMap]);
    expect(s0.labels).toEqual(b0.labels);
  });

  it('streams with bounded memory: fresh batches, and label caches of one room per orientation and one object per view', () => {
    const ds = dense({ seed: 5, samples: 600, noise: 'none' });
    const before = viewLabelsCacheBytes();
    const seen = new Set<ArrayBuffer>();
    let n = 0;
    for (const b of ds.denseBatches('train', 100)) {
      for (const a of [b.x, b.classMap, b.depth, b.normals]) {
        expect(seen.has(a.buffer as ArrayBuffer)).toBe(false);
        seen.add(a.buffer as ArrayBuffer);
      }
      n += b.n;
    }
    expect(n).toBe(450);
    // the empty room once per orientation (15 x 17 B per pixel) and, per view, only the object's pixels
    // (20 B each; an object covers at most 23% of the image): far below 17 B per pixel for each of 480 views
    const px = 64 * 64;
    expect(viewLabelsCacheBytes() - before).toBeLessThanOrEqual(15 * 17 * px + 480 * 20 * 0.25 * px);
    expect(viewLabelsCacheBytes() - before).toBeLessThan(0.3 * 480 * 17 * px);
    // a second pass adds nothing
    const after = viewLabelsCacheBytes();
    for (const _ of ds.denseBatches('train', 100)) n++;
    expect(viewLabelsCacheBytes()).toBe(after);
  }, 60_000);

  it('rejects bad options, sample indices and batch options with one-line DataErrors naming the valid choices', () => {
    const msg = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(DataError);
        expect((e as Error).message).not.toContain('\n');
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(msg(() => dense({ resolution: '32x32' }))).toMatch(
      /^shapes3d-dense: invalid options: resolution: must be one of 64x64, 96x128, 128x128$/,
    );
    expect(msg(() => dense({ noise: 'gaussian' }))).toMatch(
      /noise: must be a rate in \[0, 1\] or one of none, pixel-salt-pepper, reference-snpn/,
    );
    expect(msg(() => dense({ size: 64 }))).toMatch(/"size".*valid options: seed, resolution, samples, tasks, noise/);
    const ds = dense({ samples: 40 });
    expect(msg(() => ds.sample('train', 30))).toMatch(/sample index: must be < 30/);
    expect(msg(() => ds.sample('val' as 'train', 0))).toMatch(/valid: train, test/);
    expect(msg(() => ds.denseBatches('train', 4, { epoch: -1 }))).toMatch(/epoch: must be >= 0/);
  });
});
