/**
 * `plan` on an imported network (the PyTorch U-Net fixture: segmentation, depth, scene; cuts of up to four
 * tensors): the bundle's candidate points only (import --points), the answer axes (--tasks, --answer) with
 * measured down bytes, up and down reported apart, and each half's compute the order of plain ONNX Runtime's
 * time for the same graph (the 25% comparison is the bench: tools/src/plan/bench-ort.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, spawnTs } from '@mtl-split/cli/testing';
import { readManifest, steadyTime } from '@mtl-split/model';
import { encodeModel, extractGraph, decodeModel } from '@mtl-split/onnx';
import type { PlanReport } from '../src/plan/report.js';

const FIXTURE = join(ROOT, 'tools/fixtures/onnx/unet-seg-depth.onnx');
const dir = mkdtempSync(join(tmpdir(), 'plan-imported-'));
const bundle = join(dir, 'unet');
const POINTS = ['/enc2/enc2.2/Relu', '/bottom/bottom.2/Relu', '/dec1/dec1.2/Relu'];
let report: PlanReport;
let stdout = '';

beforeAll(async () => {
  const imp = spawnTs('tools/src/import.ts', [
    '--onnx',
    FIXTURE,
    '--out',
    bundle,
    '--task',
    'seg=segmentation',
    '--points',
    POINTS.join(','),
  ]);
  expect(await imp.exit, imp.stderr.join('')).toBe(0);
  const json = join(dir, 'plan.json');
  const plan = spawnTs('tools/src/plan.ts', [
    ...['--model', bundle, '--up-kbps', '1000', '--down-kbps', '500', '--latency-ms', '20', '--edge-device', 'this-machine'],
    ...['--codec', 'f16', '--tasks', 'seg,depth,scene', '--tasks', 'scene', '--answer', 'seg=classes,f16', '--repeats', '11'],
    ...['--no-progress', '--json', json],
  ]);
  expect(await plan.exit, plan.stderr.join('')).toBe(0);
  stdout = plan.lines.map((l) => (typeof l.raw === 'string' ? l.raw : JSON.stringify(l))).join('\n');
  report = JSON.parse(readFileSync(json, 'utf8')) as PlanReport;
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plan on an imported network', () => {
  it("plans the bundle's candidate points only (import --points), and input", () => {
    const candidates = readManifest(bundle)
      .splitPoints.filter((p) => p.candidate !== false)
      .map((p) => p.name);
    expect(candidates).toEqual(['input', ...POINTS]);
    expect(report.measurement.points.map((p) => p.point)).toEqual(candidates);
    expect(stdout).toMatch(/4 of \d+ split points \(candidates\)/);
  });

  it('takes tasks and answer forms as axes: measured down bytes per variant, up and down apart', () => {
    expect(report.answers.map((a) => a.name)).toEqual(['seg+depth+scene seg=classes', 'seg+depth+scene seg=f16', 'scene']);
    const at = (answer: string, split: string) => {
      const p = report.predictions.find((x) => x.answer === answer)!;
      return p.rows.find((r) => r.split === split)!;
    };
    for (const split of ['input', ...POINTS]) {
      const classes = at('seg+depth+scene seg=classes', split);
      const f16 = at('seg+depth+scene seg=f16', split);
      const scene = at('scene', split);
      // 13 x 64 x 64 logits as f16 (106 kB) against one byte per pixel, deflated; depth f32 (16 kB) in both
      expect(f16.downBytes - classes.downBytes).toBeGreaterThan(13 * 64 * 64 * 2 - 4096);
      expect(classes.downBytes).toBeGreaterThan(64 * 64 * 4);
      expect(scene.downBytes).toBeLessThan(300);
      expect(classes.upBytes).toBe(scene.upBytes);
      // the down time is the down bytes over the down bandwidth (500 KB/s: 0.5 bytes per microsecond)
      expect(f16.downMs).toBeCloseTo(f16.downBytes / 500, 6);
      expect(f16.upMs).toBeCloseTo(f16.upBytes / 1000, 6);
    }
    expect(stdout).toMatch(/\| up B \| down B \| edge ms \| up ms \| RTT ms \| down ms \|/);
  });

  it("each half's compute is the order of plain ONNX Runtime's for the same graph", async () => {
    const graph = decodeModel(readFileSync(join(bundle, 'model.onnx')), 'unet');
    const point = '/bottom/bottom.2/Relu';
    const sp = readManifest(bundle).splitPoints.find((p) => p.name === point)!;
    const edge = extractGraph(graph, { inputs: ['image'], outputs: sp.tensors?.map((t) => t.name) ?? [point], graphName: 'edge' });
    const session = await ort.InferenceSession.create(encodeModel(edge), { intraOpNumThreads: 1 });
    const x = new ort.Tensor('float32', new Float32Array(3 * 64 * 64).fill(0.5), [1, 3, 64, 64]);
    const plain = (await steadyTime(() => session.run({ image: x }))).ms;
    await session.release();
    const planned = report.measurement.points.find((p) => p.point === point)!.edgeMs;
    expect(planned).toBeGreaterThan(plain / 4);
    expect(planned).toBeLessThan(plain * 4);
    const whole = report.measurement.fullModelMs;
    expect(planned).toBeLessThan(whole); // a prefix costs less than the whole network
  }, 60_000);
});
