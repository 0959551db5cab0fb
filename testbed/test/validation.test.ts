import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestbedError } from '../src/errors.js';
import { listProfiles, loadProfile, loadProfileFile, profileToxics } from '../src/profiles.js';
import { DEFAULT_SCENARIO, isSuiteFile, listScenarios, loadScenario, loadSuite } from '../src/scenario.js';
import { listDevices, loadDevice, loadDeviceFile } from '../src/devices.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-validation-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(dir: string, name: string, body: unknown): string {
  fs.mkdirSync(dir, { recursive: true });
  const f = path.join(dir, `${name}.json`);
  fs.writeFileSync(f, typeof body === 'string' ? body : JSON.stringify(body));
  return f;
}

const good = { name: 'x', description: 'd', upKBps: 10, downKBps: 20, latencyMs: 100, jitterMs: 10, source: 'some public figures' };

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TestbedError);
    const m = (e as Error).message;
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error('expected an error');
}

describe('profiles', () => {
  it('ships the six named profiles, each valid and with a source', () => {
    expect(listProfiles()).toEqual(['3g', '5g', 'lora', 'lte', 'satellite', 'wifi']);
    for (const n of listProfiles()) {
      const p = loadProfile(n);
      expect(p.source.length).toBeGreaterThan(40);
      expect(p.upKBps).toBeGreaterThan(0);
    }
  });

  it('turns a profile into Toxiproxy toxics with half the round trip on each direction', () => {
    const t = profileToxics({ ...good, latencyMs: 45, jitterMs: 9 });
    expect(t).toContainEqual(expect.objectContaining({ type: 'bandwidth', stream: 'upstream', attributes: { rate: 10 } }));
    expect(t).toContainEqual(expect.objectContaining({ type: 'bandwidth', stream: 'downstream', attributes: { rate: 20 } }));
    expect(t).toContainEqual(expect.objectContaining({ type: 'latency', stream: 'upstream', attributes: { latency: 22, jitter: 4 } }));
    expect(t).toContainEqual(expect.objectContaining({ type: 'latency', stream: 'downstream', attributes: { latency: 23, jitter: 5 } }));
  });

  it('names the file and the field of a bad value', () => {
    const dir = path.join(tmp, 'p1');
    const f = write(dir, 'x', { ...good, upKBps: -5 });
    const m = message(() => loadProfileFile(f));
    expect(m).toContain('x.json');
    expect(m).toContain('field "upKBps"');
  });

  it('rejects a missing source, unknown fields, bad JSON and a name that differs from the file', () => {
    const dir = path.join(tmp, 'p2');
    const { source: _s, ...noSource } = good;
    expect(message(() => loadProfileFile(write(dir, 'x', noSource)))).toContain('field "source"');
    expect(message(() => loadProfileFile(write(dir, 'x', { ...good, bandwidth: 3 })))).toMatch(/bandwidth/);
    expect(message(() => loadProfileFile(write(dir, 'x', '{"name": ')))).toContain('invalid JSON');
    expect(message(() => loadProfileFile(write(dir, 'y', good)))).toContain('does not match the file name');
    expect(message(() => loadProfileFile(write(dir, 'x', { ...good, jitterMs: 500 })))).toContain('field "jitterMs"');
  });

  it('names the valid profiles when one is unknown', () => {
    expect(message(() => loadProfile('dialup'))).toMatch(/unknown profile "dialup" \(valid: 3g, 5g, lora/);
  });
});

describe('devices', () => {
  const dev = {
    name: 'x',
    description: 'a board',
    slowdown: 4,
    benchmark: 'some benchmark, some network',
    source: 'some published figures',
  };

  it('ships device profiles, each valid, with a benchmark and a source, and this machine built in', () => {
    expect(listDevices()).toEqual(expect.arrayContaining(['jetson-nano-cpu', 'mcu-m7', 'phone-midrange', 'rpi4', 'server']));
    for (const n of listDevices()) {
      const d = loadDevice(n);
      expect(d.slowdown).toBeGreaterThanOrEqual(1);
      expect(d.source.length).toBeGreaterThan(40);
      expect(d.benchmark.length).toBeGreaterThan(20);
    }
    expect(loadDevice('this-machine').slowdown).toBe(1);
  });

  it('names the file and the field of a bad value, in one line', () => {
    const dir = path.join(tmp, 'd1');
    expect(message(() => loadDeviceFile(write(dir, 'x', { ...dev, slowdown: 0.5 })))).toMatch(
      /^device .*x\.json: field "slowdown": .*at least 1/,
    );
    expect(message(() => loadDeviceFile(write(dir, 'x', { ...dev, slowdown: 'fast' })))).toContain('field "slowdown"');
    const { benchmark: _b, ...noBenchmark } = dev;
    expect(message(() => loadDeviceFile(write(dir, 'x', noBenchmark)))).toContain('field "benchmark"');
    expect(message(() => loadDeviceFile(write(dir, 'x', { ...dev, cores: 4 })))).toMatch(/cores/);
    expect(message(() => loadDeviceFile(write(dir, 'y', dev)))).toContain('does not match the file name');
    expect(message(() => loadDevice('abacus'))).toMatch(/unknown device "abacus" \(valid: this-machine, jetson-nano-cpu, mcu-m7/);
  });
});

describe('scenarios', () => {
  it('ships the default (dense), the MultiMNIST study and a quick scenario that load', () => {
    expect(listScenarios()).toEqual(expect.arrayContaining([DEFAULT_SCENARIO, 'multimnist', 'quick']));
    expect(DEFAULT_SCENARIO).toBe('dense');
    const d = loadScenario(DEFAULT_SCENARIO);
    expect(d.profiles.length).toBeGreaterThanOrEqual(3);
    expect(d.model).toMatch(/shapes3d-dense-unet$/);
    expect(loadScenario('multimnist').profiles.length).toBeGreaterThanOrEqual(4);
    const q = loadScenario('quick');
    expect(q.profiles.length).toBe(2);
    expect(Array.isArray(q.splits) && q.splits.length).toBe(2);
    expect(path.isAbsolute(q.model)).toBe(true);
  });

  const base = { name: 's', model: 'models/multimnist-resnet', profiles: ['lte'], splits: 'all', codecs: ['int8'], samples: 5 };

  it('applies defaults', () => {
    const s = loadScenario(write(path.join(tmp, 's0'), 's', base));
    expect(s.repetitions).toBe(1);
    expect(s.compress).toBe('none');
    expect(s.profiles[0]!.name).toBe('lte');
    expect(s.edgeDevice.name).toBe('this-machine');
    expect(s.cloudDevice.slowdown).toBe(1);
    // no dataset named: the edge takes the bundle's own (apps/edge test/dense-dataset.test.ts)
    expect(s.dataset).toBeUndefined();
  });

  it('reads devices and profiles from other folders (--devices-dir, --profiles-dir)', () => {
    const devs = path.join(tmp, 'd2');
    write(devs, 'board', {
      name: 'board',
      description: 'a board',
      slowdown: 7,
      benchmark: 'some benchmark, some network',
      source: 'some published figures',
    });
    const profs = path.join(tmp, 'p3');
    write(profs, 'mylink', { ...good, name: 'mylink' });
    const s = loadScenario(write(path.join(tmp, 's2'), 's', { ...base, profiles: ['mylink'], edgeDevice: 'board' }), {
      devicesDir: devs,
      profilesDir: profs,
    });
    expect(s.edgeDevice.slowdown).toBe(7);
    expect(s.profiles[0]!.name).toBe('mylink');
  });

  it('takes profiles and devices inline in the scenario, validated like files', () => {
    const board = {
      name: 'board',
      description: 'a board',
      slowdown: 7,
      benchmark: 'some benchmark, some network',
      source: 'some published figures',
    };
    const s = loadScenario(
      write(path.join(tmp, 's3'), 's', { ...base, profiles: ['lte', { ...good, name: 'mylink' }], edgeDevice: board }),
    );
    expect(s.profiles.map((p) => p.name)).toEqual(['lte', 'mylink']);
    expect(s.edgeDevice).toMatchObject({ name: 'board', slowdown: 7 });
    expect(message(() => loadScenario(write(path.join(tmp, 's3'), 's', { ...base, edgeDevice: { ...board, slowdown: 0.5 } })))).toMatch(
      /s\.json: field "edgeDevice.*slowdown.*at least 1/,
    );
    expect(
      message(() => loadScenario(write(path.join(tmp, 's3'), 's', { ...base, profiles: [{ ...good, name: 'x', jitterMs: 1e6 }] }))),
    ).toMatch(/s\.json: field "profiles\.0/);
  });

  it('an inline profile or device with missing or bad fields: every one named, with its path, in one line', () => {
    const dir = path.join(tmp, 's4');
    const { downKBps: _d, latencyMs: _l, source: _s, ...partial } = good;
    const m = message(() => loadScenario(write(dir, 's', { ...base, profiles: ['lte', { ...partial, name: 'mine', upKBps: -5 }] })));
    expect(m).toMatch(/^scenario .*s\.json: /);
    for (const f of [
      'downKBps": missing (expected number)',
      'latencyMs": missing (expected number)',
      'source": missing (expected string)',
      'upKBps": Too small',
    ]) {
      expect(m).toContain(`field "profiles.1.${f}`);
    }
    expect(m).not.toMatch(/field "profiles": Invalid input/);
    const dev = message(() => loadScenario(write(dir, 's', { ...base, edgeDevice: { name: 'board', slowdown: 7 } })));
    expect(dev).toContain('field "edgeDevice.description": missing');
    expect(dev).toContain('field "edgeDevice.source": missing');
    // a value of no allowed type says which types were allowed
    expect(message(() => loadScenario(write(dir, 's', { ...base, profiles: 42 })))).toContain(
      'field "profiles": Invalid input: expected "all" or expected array',
    );
  });

  it('names the file and the field of each kind of mistake', () => {
    const dir = path.join(tmp, 's1');
    expect(message(() => loadScenario(write(dir, 's', { ...base, codecs: ['f64'] })))).toMatch(/s\.json: field "codecs\.0"/);
    expect(message(() => loadScenario(write(dir, 's', { ...base, samples: 0 })))).toContain('field "samples"');
    expect(message(() => loadScenario(write(dir, 's', { ...base, profiles: ['lte', 'nope'] })))).toMatch(
      /field "profiles\.1": unknown profile "nope"/,
    );
    expect(message(() => loadScenario(write(dir, 's', { ...base, splits: [] })))).toContain('field "splits"');
    expect(message(() => loadScenario(write(dir, 's', { ...base, extra: 1 })))).toContain('extra');
    expect(message(() => loadScenario(write(dir, 's', { ...base, edgeDevice: 'abacus' })))).toMatch(
      /s\.json: field "edgeDevice": unknown device "abacus" \(valid: this-machine, /,
    );
    expect(message(() => loadScenario(write(dir, 's', { ...base, cloudDevice: 'x y' })))).toMatch(/field "cloudDevice": unknown device/);
    const { model: _m, ...noModel } = base;
    expect(message(() => loadScenario(write(dir, 's', noModel)))).toContain('field "model"');
  });

  it('loads suites (defaults merged under each entry) and names the entry and field of a mistake', () => {
    const dir = path.join(tmp, 's3');
    const f = write(dir, 'suite', { name: 'two', defaults: base, suite: [{ name: 'a', edgeDevice: 'rpi4' }, { name: 'b' }] });
    expect(isSuiteFile(f)).toBe(true);
    const su = loadSuite(f);
    expect(su.scenarios.map((x) => `${x.name}/${x.edgeDevice.name}`)).toEqual(['a/rpi4', 'b/this-machine']);
    expect(
      message(() =>
        loadSuite(write(dir, 'bad', { name: 'two', defaults: base, suite: [{ name: 'a' }, { name: 'b', edgeDevice: 'abacus' }] })),
      ),
    ).toMatch(/bad\.json: suite\.1: field "edgeDevice": unknown device "abacus"/);
    expect(message(() => loadScenario(f))).toContain('a suite of 2 scenarios');
    const paper = loadSuite(path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'scenarios', 'paper.json'));
    expect(new Set(paper.scenarios.map((x) => x.edgeDevice.name)).size).toBeGreaterThanOrEqual(2);
    expect(paper.scenarios.every((x) => x.profiles.length === 6 && x.codecs.includes('png') && x.codecs.includes('jpeg'))).toBe(true);
  });

  it('names the valid scenarios when one is unknown, and reports a missing file', () => {
    expect(message(() => loadScenario('nosuch'))).toMatch(/unknown scenario "nosuch" \(valid: .*dense.*multimnist.*quick/);
    expect(message(() => loadScenario(path.join(tmp, 'missing.json')))).toContain('cannot read file (ENOENT)');
  });
});
