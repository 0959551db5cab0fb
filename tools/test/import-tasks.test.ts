/** Tasks from a graph's outputs and `--task` flags (no graph run: the outputs as import measures them). */
import { describe, expect, it } from 'vitest';
import { Problems } from '../src/import/problems.js';
import { parseTaskFlags } from '../src/import/task-flags.js';
import { resolveTasks, type GraphOutput, type TaskOptions } from '../src/import/tasks.js';

const out = (name: string, shape: number[], dtype: GraphOutput['dtype'] = 'float32'): GraphOutput => ({
  name,
  shape,
  dtype,
  elemType: dtype === null ? 11 : 1,
});

function resolve(outputs: GraphOutput[], flags: string[], o: Partial<TaskOptions> = {}) {
  const problems = new Problems();
  const parsed = parseTaskFlags(flags, problems);
  expect(problems.text()).toBeNull();
  const tasks = resolveTasks(outputs, { flags: parsed, layout: 'NCHW', ...o }, problems);
  return { tasks, problems: problems.text() };
}

describe('task kinds from output shapes and --task', () => {
  it('infers classification from [classes], dense from [1], [] and [1, H, W]; keeps the outputs order', () => {
    const { tasks, problems } = resolve([out('age', [3]), out('steer', [1]), out('score', []), out('depth', [1, 8, 8])], []);
    expect(problems).toBeNull();
    expect(tasks.map((t) => `${t.name}:${t.kind}:${t.classes.length}`)).toEqual([
      'age:classification:3',
      'steer:dense:0',
      'score:dense:0',
      'depth:dense:0',
    ]);
    expect(tasks[3].outputs).toEqual([{ name: 'depth', shape: [1, 8, 8], dtype: 'float32', layout: 'NCHW' }]);
  });

  it('a segmentation output follows the input layout: [H, W, classes] for NHWC', () => {
    const { tasks, problems } = resolve([out('seg', [16, 16, 5])], ['seg=segmentation'], {
      layout: 'NHWC',
      classNames: { seg: ['a', 'b', 'c', 'd', 'e'] },
    });
    expect(problems).toBeNull();
    expect(tasks[0]).toMatchObject({ kind: 'segmentation', classes: ['a', 'b', 'c', 'd', 'e'], outputs: [{ layout: 'NHWC' }] });
    // the same output read as NCHW has 16 classes and 5 columns
    expect(resolve([out('seg', [16, 16, 5])], ['seg=segmentation']).tasks[0].classes).toHaveLength(16);
  });

  it('a detection task owns several outputs and comes where its first output is', () => {
    const { tasks, problems } = resolve(
      [out('scene', [4]), out('boxes', [80, 4]), out('scores', [80, 3])],
      ['objects=detection:scores,boxes'],
    );
    expect(problems).toBeNull();
    expect(tasks.map((t) => [t.name, t.kind, t.outputs?.map((o) => o.name)])).toEqual([
      ['scene', 'classification', ['scene']],
      ['objects', 'detection', ['scores', 'boxes']],
    ]);
  });

  it('lists every problem: ambiguous shapes, misfits, a shared output, bad names and element types, --tasks and class names', () => {
    const problems = new Problems();
    const flags = parseTaskFlags(['a=dense:x', 'b=dense:x', 'seg=classification', 'obj=segmentation:m,n'], problems);
    const outputs = [
      out('x', [2]),
      out('seg', [3, 4, 4]),
      out('m', [3, 4, 4]),
      out('n', [3, 4, 4]),
      out('normals', [3, 4, 4]),
      out('logits/c', [2]),
      out('d', [2], null),
    ];
    resolveTasks(outputs, { flags, layout: 'NCHW', classNames: { a: ['p', 'q'] } }, problems);
    const text = problems.text()!;
    expect(text).toMatch(/^7 problems: \(1\) /);
    expect(text).toContain("--task gives output 'x' to both 'a' and 'b'");
    expect(text).toContain(
      "--task seg=classification: output 'seg' is [3, 4, 4] float32, but a classification output is float class scores [classes] per sample",
    );
    expect(text).toContain('--task obj=segmentation:m,n: a segmentation task owns one output');
    expect(text).toContain(
      "output 'normals' is [3, 4, 4] per sample, which may be more than one kind of task: say which with --task normals=segmentation",
    );
    expect(text).toContain("output 'logits/c' is not a valid task name");
    expect(text).toContain("output 'd' has ONNX element type 11: valid are float32 (1), uint8 (2), int64 (7), float16 (10)");
    expect(text).toContain("class names given for 'a', a dense task: only classification and segmentation tasks have classes");
  });

  it('--tasks NAME:CLASSES is checked against the outputs, in order, and their class counts', () => {
    const outputs = [out('age', [3]), out('gender', [2])];
    expect(
      resolve(outputs, [], {
        legacy: [
          { name: 'age', classes: 3 },
          { name: 'gender', classes: 3 },
        ],
      }).problems,
    ).toBe("--tasks says gender:3, the graph's output 'gender' has 2 classes");
    expect(
      resolve(outputs, [], {
        legacy: [
          { name: 'gender', classes: 2 },
          { name: 'age', classes: 3 },
        ],
      }).problems,
    ).toMatch(/--tasks names gender, age, but the graph's outputs are age, gender \(in this order\)/);
  });
});
