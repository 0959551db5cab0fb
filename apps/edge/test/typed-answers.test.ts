import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TaskInfo } from '@mtl-split/model/infer';
import { classMapOf, cloudResults, localResults } from '../src/answers/build.js';
import type { EdgeAnswer } from '../src/edge-client.js';
import { MapFiles } from '../src/map-files.js';
import { TaskMetrics } from '../src/task-metrics.js';

const dir = mkdtempSync(join(tmpdir(), 'edge-typed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// three tasks of the kinds a dense network has: a 3-class segmentation [3, 2, 2] (NCHW), a depth map
// [1, 2, 2] and a 2-class scene classifier
const TASKS: TaskInfo[] = [
  {
    name: 'seg',
    kind: 'segmentation',
    classes: ['floor', 'wall', 'object'],
    outputs: [{ name: 'seg', shape: [3, 2, 2], dtype: 'float32', layout: 'NCHW' }],
  },
  { name: 'depth', kind: 'dense', classes: [], outputs: [{ name: 'depth', shape: [1, 2, 2], dtype: 'float32', layout: 'NCHW' }] },
  { name: 'scene', kind: 'classification', classes: ['in', 'out'], outputs: [{ name: 'scene', shape: [2], dtype: 'float32' }] },
];
// per pixel (p0..p3) the largest channel: p0 -> 2, p1 -> 0, p2 -> 1, p3 -> 1
const SEG = Float32Array.from([0, 5, 1, 0, /* c1 */ 1, 2, 7, 3, /* c2 */ 9, 1, 2, 2]);
const DEPTH = Float32Array.from([1.5, 2.5, 3.5, 4.5]);
const SCENE = Float32Array.from([0, Math.log(3)]); // softmax: 0.25, 0.75
const raw = { seg: { data: SEG, shape: [1, 3, 2, 2] }, depth: { data: DEPTH, shape: [1, 1, 2, 2] }, scene: { data: SCENE, shape: [1, 2] } };

describe('typed task results', () => {
  it('a class map is the argmax over the channel axis of the layout (NCHW and NHWC)', () => {
    expect(classMapOf({ shape: [3, 2, 2], data: SEG }, 'NCHW')).toEqual({ shape: [2, 2], data: Int32Array.from([2, 0, 1, 1]) });
    // the same map channel last: [2, 2, 3]
    const nhwc = Float32Array.from([0, 1, 9, 5, 2, 1, 1, 7, 2, 0, 3, 2]);
    expect(classMapOf({ shape: [2, 2, 3], data: nhwc }, 'NHWC')).toEqual({ shape: [2, 2], data: Int32Array.from([2, 0, 1, 1]) });
  });

  it('local outputs become one result per task in the type of its kind; a subset answers only those', () => {
    const [seg, depth, scene] = localResults(TASKS, raw, { codecs: { seg: { form: 'f32' } } });
    expect(seg.outputs.map((o) => o.output)).toEqual(['seg']); // asked raw: the logits come too
    expect(localResults(TASKS, raw)[0].outputs).toEqual([]); // default 'classes': as the cloud answers, no logits
    expect(scene.outputs).toEqual([]);
    expect(seg.kind === 'segmentation' && [...seg.classMap.data]).toEqual([2, 0, 1, 1]);
    expect(depth).toMatchObject({ kind: 'dense', task: 'depth', outputs: [{ output: 'depth', shape: [1, 2, 2], form: 'local' }] });
    expect([...depth.outputs[0].data]).toEqual([1.5, 2.5, 3.5, 4.5]);
    expect(scene.kind).toBe('classification');
    if (scene.kind !== 'classification') return;
    expect(scene.predicted).toBe(1);
    expect(scene.className).toBe('out');
    expect(scene.probabilities[1]).toBeCloseTo(0.75, 6);
    expect(localResults(TASKS, raw, { tasks: ['depth'] }).map((t) => t.task)).toEqual(['depth']);
    expect(() => localResults(TASKS, { ...raw, depth: { data: new Float32Array(3), shape: [1, 3] } })).toThrow(
      /output 'depth' of task 'depth' has 3 values, expected \[1,2,2\]/,
    );
  });

  it("the cloud's answers (a 'classes' map, raw f16 depth, probabilities) give the same types as local ones", () => {
    const cloud = cloudResults(TASKS, [
      { task: 'scene', probabilities: Float32Array.from([0.25, 0.75]), predicted: Int32Array.from([1]) },
      {
        task: 'seg',
        probabilities: new Float32Array(0),
        predicted: new Int32Array(0),
        tensors: [{ output: 'seg', form: 'classes', data: { data: Float32Array.from([2, 0, 1, 1]), shape: [1, 2, 2] } }],
      },
      {
        task: 'depth',
        probabilities: new Float32Array(0),
        predicted: new Int32Array(0),
        tensors: [{ output: 'depth', form: 'f16', data: { data: DEPTH, shape: [1, 1, 2, 2] } }],
      },
    ]);
    const local = localResults(TASKS, raw);
    expect(cloud.map((t) => [t.task, t.kind])).toEqual(local.map((t) => [t.task, t.kind]));
    expect(cloud[0].kind === 'segmentation' && cloud[0].classMap).toEqual(local[0].kind === 'segmentation' && local[0].classMap);
    expect(cloud[0].outputs).toEqual([]); // a class map only: no raw logits came
    expect(cloud[2].outputs).toEqual(local[2].outputs);
    expect(cloud[1].outputs[0]).toMatchObject({ output: 'depth', shape: [1, 2, 2], form: 'f16' });
    expect(cloud[2].kind === 'classification' && cloud[2].className).toBe('out');
    // raw segmentation logits from the cloud: the class map is computed here from them
    const rawSeg = cloudResults(TASKS, [
      {
        task: 'seg',
        probabilities: new Float32Array(0),
        predicted: new Int32Array(0),
        tensors: [{ output: 'seg', form: 'f32', data: raw.seg }],
      },
    ]);
    expect(rawSeg[0].kind === 'segmentation' && [...rawSeg[0].classMap.data]).toEqual([2, 0, 1, 1]);
  });

  it('--json map files: each answer lands at its sample offset, whatever the order, and the files are named in the result', () => {
    const maps = new MapFiles(join(dir, 'run.json'));
    maps.start(3);
    const answer = (tasks: EdgeAnswer['tasks']): EdgeAnswer => ({
      source: 'cloud',
      split: 'enc2',
      tasks,
      timings: { edge: 0, encode: 0, network: 0, cloud: 0, decode: 0, local: 0, total: 0 },
      bytes: 0,
      batchSize: 1,
    });
    maps.add('enc2', 2, answer(localResults(TASKS, raw)));
    maps.add('enc2', 0, answer(localResults(TASKS, { ...raw, depth: { data: Float32Array.from([9, 8, 7, 6]), shape: [1, 1, 2, 2] } })));
    const files = maps.finish('enc2');
    expect(files?.seg).toEqual([{ output: 'classes', file: 'run.enc2.seg.classes.u8', dtype: 'uint8', shape: [2, 2], samples: 3 }]);
    expect(files?.depth).toEqual([{ output: 'depth', file: 'run.enc2.depth.depth.f32', dtype: 'float32', shape: [1, 2, 2], samples: 3 }]);
    expect(files?.scene).toBeUndefined(); // a classification task has no file
    expect([...readFileSync(join(dir, 'run.enc2.seg.classes.u8'))]).toEqual([2, 0, 1, 1, 0, 0, 0, 0, 2, 0, 1, 1]);
    const d = readFileSync(join(dir, 'run.enc2.depth.depth.f32'));
    expect([...new Float32Array(d.buffer, d.byteOffset, d.length / 4)]).toEqual([9, 8, 7, 6, 0, 0, 0, 0, 1.5, 2.5, 3.5, 4.5]);
  });

  it('metrics per kind from labels: a test set marking a dense task as normals adds angular errors', () => {
    const normals: TaskInfo = {
      name: 'normals',
      kind: 'dense',
      classes: [],
      outputs: [{ name: 'normals', shape: [3, 1, 2], dtype: 'float32', layout: 'NCHW' }],
    };
    const m = new TaskMetrics([...TASKS, normals], { seg: { ignore: 255 }, normals: { quantity: 'normals' } });
    // two pixels, channel first: predicted (0,0,1) and (1,0,0); labels (0,0,1) both: 0 and 90 degrees
    const predicted = Float32Array.from([0, 1, 0, 0, 1, 0]);
    const label = Float32Array.from([0, 0, 0, 0, 1, 1]);
    const results = localResults([...TASKS, normals], { ...raw, normals: { data: predicted, shape: [1, 3, 1, 2] } });
    m.add(results, { seg: Float32Array.from([2, 0, 255, 0]), depth: DEPTH.map((v) => v + 1), scene: 0, normals: label });
    const got = m.metrics();
    expect(got.seg).toEqual({ pixelAccuracy: 2 / 3, meanIoU: (1 + 1 / 2 + 0) / 3 });
    expect(got.depth).toEqual({ meanAbsoluteError: 1, meanRelativeError: expect.any(Number), rootMeanSquaredError: 1 });
    expect(got.scene).toEqual({ accuracy: 0 });
    expect(got.normals).toMatchObject({ meanAngleDegrees: 45, medianAngleDegrees: 45, within11: 0.5, within30: 0.5 });
  });
});
