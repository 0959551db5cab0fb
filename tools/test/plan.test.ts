import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programCommand } from '@mtl-split/cli';
import { encode } from '@mtl-split/codec';
import { loadDataset } from '@mtl-split/data';
import { buildModel, loadBundle, openNetwork, saveBundle, type Bundle } from '@mtl-split/model';
import { initRuntime } from '@mtl-split/runtime';
import { measurePlan, testSample, type Measurement } from '../src/plan/measure.js';
import { DEFAULT_EDGE_DEVICE, loadProfile, parseOptions, REPO_ROOT, UsageError, type RawOptions } from '../src/plan/options.js';
import { bestRow, EDGE_ONLY, planLink, predictRow } from '../src/plan/predict.js';
import { assumedDeviceLine, bestLine, formatLinkTable } from '../src/plan/report.js';

function runPlan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const plan = programCommand('tools/src/plan.ts', args);
    const p = spawn(plan.command, plan.args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('exit', (code) => resolve({ code: code ?? 128, stdout, stderr }));
  });
}

const raw = (o: Partial<RawOptions>): RawOptions => ({
  model: 'm',
  threads: '1',
  codec: 'int8',
  compress: 'none',
  repeats: '20',
  edgeSlowdown: '1',
  cloudSpeedup: '1',
  progress: false,
  ...o,
});

let dir: string;
let bundleDir: string;
let bundle: Bundle;
let m: Measurement;

beforeAll(async () => {
  await initRuntime();
  dir = mkdtempSync(join(tmpdir(), 'plan-test-'));
  bundleDir = join(dir, 'tiny');
  const dataset = { name: 'multimnist', options: { trainSize: 10, testSize: 5, seed: 3 } };
  const ds = loadDataset(dataset.name, dataset.options);
  // a learned 1-channel bottleneck after block2: the split point with the fewest bytes
  const model = buildModel({
    backbone: 'resnet',
    backboneConfig: { stem: 4, stages: [6, 8], blocksPerStage: 1, pool: 'flatten' },
    inputShape: ds.inputShape,
    tasks: ds.tasks,
    bottleneck: { point: 'block2', channels: 1 },
    seed: 2,
  });
  await saveBundle(bundleDir, model, { dataset });
  model.dispose();
  bundle = await loadBundle(bundleDir);
  const net = await openNetwork(bundleDir);
  m = await measurePlan(net, [{ data: testSample(ds), shape: [1, ...ds.inputShape] }], {
    codecs: ['int8', 'f32'],
    compress: 'none',
    repeats: 3,
    warmup: 1,
  });
  await net.close();
}, 60_000);

afterAll(() => {
  bundle?.model.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('predictRow', () => {
  it('follows total = edge + encode + up + latency + decode + cloud + down, with device factors', () => {
    const r = predictRow(
      'p',
      { edgeMs: 2, encodeMs: 0.5, decodeMs: 0.25, cloudMs: 4 },
      { up: 5000, down: 224 },
      { upKBps: 10, downKBps: 100, latencyMs: 30 },
      { edgeSlowdown: 3, cloudSpeedup: 2 },
    );
    expect(r.edgeMs).toBe(6);
    expect(r.encodeMs).toBe(1.5);
    expect(r.upMs).toBeCloseTo(500, 10); // 5000 B / 10 000 B/s
    expect(r.downMs).toBeCloseTo(2.24, 10); // 224 B / 100 000 B/s
    expect(r.decodeMs).toBe(0.125);
    expect(r.cloudMs).toBe(2);
    expect(r.totalMs).toBeCloseTo(6 + 1.5 + 500 + 30 + 0.125 + 2 + 2.24, 10);
  });

  it("device profiles scale the halves' compute, not the codecs (as the testbed emulates them)", () => {
    const r = predictRow(
      'p',
      { edgeMs: 2, encodeMs: 0.5, decodeMs: 0.25, cloudMs: 4 },
      { up: 0, down: 0 },
      { upKBps: 10, downKBps: 100, latencyMs: 0 },
      { edgeSlowdown: 1, cloudSpeedup: 1, edgeDevice: 10, cloudDevice: 2 },
    );
    expect(r.edgeMs).toBe(20);
    expect(r.encodeMs).toBe(0.5);
    expect(r.cloudMs).toBe(8);
    expect(r.decodeMs).toBe(0.25);
  });
});

describe('measurePlan + planLink on a small bundle', () => {
  it('measures every split point with exact frame sizes and positive times', () => {
    expect(m.points.map((p) => p.point)).toEqual(bundle.model.splitPoints.map((p) => p.name));
    expect(m.points[0].point).toBe('input');
    for (const p of m.points) {
      const n = p.shape.reduce((a, b) => a * b, 1);
      for (const c of p.codecs) {
        // frame size depends only on shape and codec (no lossless stage): compare with a synthetic frame
        expect(c.bytes).toBe(encode({ data: new Float32Array(n).fill(0.5), shape: [1, ...p.shape] }, { codec: c.codec }).length);
        expect(c.encodeMs).toBeGreaterThanOrEqual(0);
        expect(c.decodeMs).toBeGreaterThanOrEqual(0);
      }
      expect(p.edgeMs).toBeGreaterThan(0);
      expect(p.cloudMs).toBeGreaterThan(0);
      // the answer (two tasks of 10 probabilities as floats, the argmax, framing): measured, the same at every
      // point but for the echoed split point's name
      expect(p.codecs[0].answerBytes).toHaveLength(1);
      expect(p.codecs[0].answerBytes[0]).toBeGreaterThan(2 * 10 * 4);
      expect(p.codecs[0].answerBytes[0] - p.point.length).toBe(m.points[0].codecs[0].answerBytes[0] - 'input'.length);
    }
    expect(m.fullModelMs).toBeGreaterThan(0);
  });

  it('predicts each row from the measurement and a slower uplink moves the best split to fewer bytes', () => {
    const down = m.points[2].codecs[0].answerBytes[0];
    const devices = { edgeSlowdown: 4, cloudSpeedup: 2 };
    const fast = { name: 'fast', upKBps: 1e6, downKBps: 1e6, latencyMs: 5, jitterMs: 0 };
    const slow = { name: 'slow', upKBps: 1, downKBps: 1e6, latencyMs: 5, jitterMs: 0 };
    const pf = planLink(m, fast, 'int8', 0, devices);
    const ps = planLink(m, slow, 'int8', 0, devices);
    for (const p of [pf, ps]) {
      expect(p.rows.map((r) => r.split)).toEqual([...m.points.map((x) => x.point), EDGE_ONLY]);
      const edgeOnly = p.rows[p.rows.length - 1];
      expect(edgeOnly.totalMs).toBeCloseTo(m.fullModelMs * 4, 10);
      const best = p.rows.find((r) => r.split === p.best)!;
      expect(p.rows.every((r) => r.totalMs >= best.totalMs)).toBe(true);
      expect(p.speedupVsEdgeOnly).toBeCloseTo(edgeOnly.totalMs / best.totalMs, 10);
      expect(p.speedupVsCloudOnly).toBeCloseTo(p.rows[0].totalMs / best.totalMs, 10);
    }
    const link = ps.rows[2];
    const pt = m.points[2];
    const c = pt.codecs[0];
    expect(link.totalMs).toBeCloseTo(
      pt.edgeMs * 4 + c.encodeMs * 4 + c.bytes + 5 + c.decodeMs / 2 + pt.cloudMs / 2 + (down / 1e9) * 1000,
      8,
    );

    const bytesOf = (split: string) => m.points.find((p) => p.point === split)!.codecs[0].bytes;
    const fewest = [...m.points].sort((a, b) => a.codecs[0].bytes - b.codecs[0].bytes)[0].point;
    expect(fewest).toBe('block2'); // the bottleneck
    const bestFast = bestRow(pf.rows, true).split;
    const bestSlow = bestRow(ps.rows, true).split;
    expect(bestSlow).toBe('block2');
    expect(bytesOf(bestSlow)).toBeLessThanOrEqual(bytesOf(bestFast));
    expect(bestLine(ps)).toMatch(
      /^best split for slow \(int8, answer all\): (block2|edge-only), [\d.]+ ms \([\d.]+x faster than cloud-only, [\d.]+x than edge-only\)$/,
    );
    const table = formatLinkTable(slow, [ps, planLink(m, slow, 'f32', 0, devices)]);
    expect(table.split('\n').filter((l) => l.startsWith('| ')).length).toBe(1 + 2 * m.points.length + 1);
  });
});

describe('options', () => {
  it('loads profiles, builds an ad-hoc link and rejects bad input with one line', () => {
    const o = parseOptions(raw({ profile: ['lte'], upKbps: '250', latencyMs: '60', codec: 'f32,int8' }));
    expect(o.links.map((l) => l.name)).toEqual(['lte', 'custom']);
    expect(o.links[1]).toEqual({ name: 'custom', upKBps: 250, downKBps: 250, latencyMs: 60, jitterMs: 0 });
    expect(o.codecs).toEqual(['f32', 'int8']);
    expect(() => parseOptions(raw({}))).toThrow(/no link/);
    expect(() => parseOptions(raw({ upKbps: 'fast' }))).toThrow(/invalid --up-kbps 'fast'/);
    expect(() => parseOptions(raw({ upKbps: '1', codec: 'int3' }))).toThrow(/unknown codec 'int3' \(valid: f32, f16/);
    expect(() => parseOptions(raw({ upKbps: '1', compress: 'lzma' }))).toThrow(UsageError);
    expect(() => parseOptions(raw({ upKbps: '1', repeats: '0' }))).toThrow(/--repeats/);
    const pdir = join(dir, 'profiles');
    rmSync(pdir, { recursive: true, force: true });
    mkdirSync(pdir);
    // the testbed's validation (one model of the world): a source is required, unknown fields are refused
    const src = 'some published figures';
    writeFileSync(
      join(pdir, 'ok.json'),
      JSON.stringify({ name: 'ok', upKBps: 5, downKBps: 6, latencyMs: 7, jitterMs: 1, description: 'x', source: src }),
    );
    writeFileSync(
      join(pdir, 'bad.json'),
      JSON.stringify({ name: 'bad', upKBps: -1, downKBps: 6, latencyMs: 7, jitterMs: 1, description: 'x', source: src }),
    );
    writeFileSync(
      join(pdir, 'nosource.json'),
      JSON.stringify({ name: 'nosource', upKBps: 5, downKBps: 6, latencyMs: 7, jitterMs: 1, description: 'x' }),
    );
    expect(loadProfile('ok', pdir)).toEqual({ name: 'ok', upKBps: 5, downKBps: 6, latencyMs: 7, jitterMs: 1 });
    expect(() => loadProfile('bad', pdir)).toThrow(/^profile .*bad\.json: field "upKBps": /);
    expect(() => loadProfile('nosource', pdir)).toThrow(/^profile .*nosource\.json: field "source"/);
    expect(() => loadProfile('nope', pdir)).toThrow(/^unknown profile "nope" \(valid: bad, nosource, ok\)$/);
    // device profiles, as the experiment reads them
    const ddir = join(dir, 'devices');
    rmSync(ddir, { recursive: true, force: true });
    mkdirSync(ddir);
    writeFileSync(
      join(ddir, 'board.json'),
      JSON.stringify({ name: 'board', description: 'x', slowdown: 0.5, benchmark: 'some benchmark, some net', source: src }),
    );
    expect(() => parseOptions(raw({ upKbps: '1', edgeDevice: 'board', devicesDir: ddir }))).toThrow(
      /^invalid --edge-device: device .*board\.json: field "slowdown"/,
    );
    expect(() => parseOptions(raw({ upKbps: '1', cloudDevice: 'abacus' }))).toThrow(
      /^invalid --cloud-device: unknown device "abacus" \(valid: this-machine, .*rpi4/,
    );
    const od = parseOptions(raw({ upKbps: '1', edgeDevice: 'rpi4' }));
    expect(od.edgeDevice.slowdown).toBeGreaterThan(1);
    expect(od.cloudDevice.name).toBe('this-machine');
  });
});

describe('the edge device a plan assumes', () => {
  it("defaults to the default experiment's device and says so; --edge-slowdown alone or --edge-device this-machine plan for this machine", () => {
    const scenario = JSON.parse(readFileSync(join(REPO_ROOT, 'testbed/scenarios/dense.json'), 'utf8')) as { edgeDevice: string };
    expect(DEFAULT_EDGE_DEVICE).toBe(scenario.edgeDevice);
    const d = parseOptions(raw({ upKbps: '1', edgeSlowdown: undefined }));
    expect(d.edgeDevice.name).toBe(DEFAULT_EDGE_DEVICE);
    expect(d.edgeDevice.slowdown).toBeGreaterThan(1);
    expect(d.edgeDeviceAssumed).toBe(true);
    expect(d.edgeSlowdown).toBe(1);
    expect(assumedDeviceLine(d.edgeDevice)).toMatch(
      /^plan: no --edge-device given: assuming mcu-m7 \(.+; compute x100, emulated\); --edge-device this-machine /,
    );
    const host = parseOptions(raw({ upKbps: '1', edgeSlowdown: undefined, edgeDevice: 'this-machine' }));
    expect([host.edgeDevice.name, host.edgeDevice.slowdown, host.edgeDeviceAssumed]).toEqual(['this-machine', 1, false]);
    const slow = parseOptions(raw({ upKbps: '1', edgeSlowdown: '10' }));
    expect([slow.edgeDevice.name, slow.edgeSlowdown, slow.edgeDeviceAssumed]).toEqual(['this-machine', 10, false]);
    const named = parseOptions(raw({ upKbps: '1', edgeSlowdown: undefined, edgeDevice: 'rpi4' }));
    expect([named.edgeDevice.name, named.edgeDeviceAssumed]).toEqual(['rpi4', false]);
  });
});

describe('plan CLI', () => {
  it('exits non-zero with one line on bad input and writes nothing; --json writes the full result', async () => {
    const json = join(dir, 'out', 'plan.json');
    const good = join(dir, 'plan.json');
    const bad: [string[], RegExp][] = [
      [['--model', bundleDir, '--profile', 'marsnet', '--json', good], /^plan: unknown profile "marsnet" \(valid: .*lte.*\)$/],
      [
        ['--model', bundleDir, '--up-kbps', '10', '--edge-device', 'abacus', '--json', good],
        /^plan: invalid --edge-device: unknown device "abacus" \(valid: this-machine, /,
      ],
      [['--model', bundleDir, '--json', good], /^plan: no link/],
      [['--model', bundleDir, '--up-kbps', '-3', '--json', good], /^plan: invalid --up-kbps '-3'/],
      [['--model', bundleDir, '--up-kbps', '10', '--codec', 'int9', '--json', good], /^plan: unknown codec 'int9'/],
      [['--model', join(dir, 'missing'), '--up-kbps', '10', '--json', good], /^plan: bundle '.*missing': no such folder$/],
      [['--model', bundleDir, '--up-kbps', '10', '--json', json], /^plan: invalid --json/],
    ];
    const runs = await Promise.all(bad.map(([a]) => runPlan(a)));
    runs.forEach((r, i) => {
      const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('plan: backend'));
      expect(r.code, r.stderr).not.toBe(0);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(bad[i][1]);
      expect(r.stdout).toBe('');
    });
    expect(existsSync(good)).toBe(false);
    expect(existsSync(json)).toBe(false);

    const r = await runPlan([
      '--model',
      bundleDir,
      '--profile',
      'lte',
      '--up-kbps',
      '50',
      '--codec',
      'int8,f32',
      '--repeats',
      '2',
      '--no-progress',
      '--json',
      good,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/best split for lte \(int8, answer all\): /);
    expect(r.stdout).toMatch(/best split for custom \(f32, answer all\): /);
    // no --edge-device: the default device is assumed, said on stderr and in the table's header
    expect(r.stderr.split('\n').filter((l) => l.includes('assuming'))).toEqual([
      assumedDeviceLine(parseOptions(raw({ upKbps: '1', edgeSlowdown: undefined })).edgeDevice),
    ]);
    expect(r.stdout).toMatch(/edge device mcu-m7 \(compute x100\)/);
    const out = JSON.parse(readFileSync(good, 'utf8')) as {
      links: { name: string }[];
      best: { link: string; codec: string; split: string }[];
      predictions: { rows: unknown[] }[];
      measurement: { points: unknown[] };
    };
    expect(out.links.map((l) => l.name)).toEqual(['lte', 'custom']);
    expect(out.best.map((b) => `${b.link}/${b.codec}`)).toEqual(['lte/int8', 'lte/f32', 'custom/int8', 'custom/f32']);
    expect(out.measurement.points).toHaveLength(bundle.model.splitPoints.length);
    expect(out.predictions[0].rows).toHaveLength(bundle.model.splitPoints.length + 1);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 120_000); // eight programs, one of them emulating mcu-m7 (its waits), on a shared 2-core machine
});
