import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestbedError } from '../src/errors.js';
import { SCENARIOS_DIR } from '../src/paths.js';
import type { Results } from '../src/results.js';
import { runExperiment } from '../src/runner.js';
import { loadScenario } from '../src/scenario.js';
import { Supervisor } from '../src/supervisor.js';
import { runCli } from './cli.js';

// The answers axis: named answer settings validated where the scenario is read (field and valid forms
// named) and against the bundle's task kinds before anything starts; swept like the codecs, they reach the
// edge (its --answer codecs) and the results.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-answers-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const committed = (): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(SCENARIOS_DIR, 'dense.json'), 'utf8')) as Record<string, unknown>;

/** The committed dense scenario with changes, written as `<tmp>/<name>.json`. */
function variant(name: string, change: (s: Record<string, unknown>) => Record<string, unknown>): string {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ ...change(committed()), name }));
  return file;
}

function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TestbedError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a TestbedError');
}

describe('answers axis', () => {
  it('the committed dense scenario sweeps two answer settings; without "answers" one setting, the cloud defaults', () => {
    const s = loadScenario('dense');
    expect(s.answers.map((a) => a.name)).toEqual(['default', 'compact']);
    expect(s.answers[1]!.codecs).toEqual({
      segmentation: { form: 'classes', compress: 'zstd' },
      depth: { form: 'f16' },
      normals: { form: 'int8' },
    });
    expect(loadScenario('quick').answers).toEqual([{ name: 'default', codecs: {} }]);
  });

  it('a malformed form, a bad stage and a duplicate name are named by field with the valid forms', () => {
    const bad = (forms: Record<string, string>): string =>
      rejection(() => loadScenario(variant('bad', (s) => ({ ...s, answers: [{ name: 'x', forms }] }))));
    expect(bad({ depth: 'f12' })).toMatch(
      /field "answers\.0\.forms\.depth": "f12" is not an answer codec \(valid: FORM\[:COMPRESS\], FORM one of classes, f32, f16, int8, COMPRESS one of none, deflate/,
    );
    expect(bad({ depth: 'f16:lz4' })).toMatch(/field "answers\.0\.forms\.depth": "f16:lz4" is not an answer codec/);
    expect(bad({ depth: 'f16:zstd:9' })).toMatch(/"f16:zstd:9" is not an answer codec/);
    const dup = rejection(() =>
      loadScenario(variant('dup', (s) => ({ ...s, answers: [{ name: 'a' }, { name: 'a', forms: { depth: 'f16' } }] }))),
    );
    expect(dup).toMatch(/field "answers\.1\.name": "a" is used twice/);
  });

  it("a task the bundle lacks, or a form its kind has not, fails before anything starts, naming the kind's forms", async () => {
    const run = async (forms: Record<string, string>): Promise<string> => {
      const scenario = loadScenario(variant('kinds', (s) => ({ ...s, answers: [{ name: 'x', forms }] })));
      const sup = new Supervisor();
      const out = path.join(tmp, 'never');
      const err = await runExperiment({ scenario, outDir: out, supervisor: sup }).then(
        () => new Error('expected a rejection'),
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(TestbedError);
      expect(fs.existsSync(`${out}.incomplete`)).toBe(false);
      return err.message;
    };
    expect(await run({ depth: 'classes' })).toMatch(
      /field "answers\.0\.forms\.depth": "classes" is not a form of task "depth" \(dense; valid: f32, f16, int8\)/,
    );
    expect(await run({ sky: 'f16' })).toMatch(
      /field "answers\.0\.forms\.sky": unknown task "sky" \(valid: scale, shape, segmentation, depth, normals\)/,
    );
  });

  it('two answer settings reach the edge and the results: different answer bytes measured, both in the report', {
    timeout: 120_000,
  }, async () => {
    const out = path.join(tmp, 'run');
    // the dense scenario shortened: one link, one split point and codec, few samples, no plan
    const scenario = variant('dense-test', (s) => ({
      ...s,
      profiles: ['wifi'],
      splits: ['block4'],
      codecs: ['int8'],
      samples: 3,
      minSamples: 2,
      accuracySamples: 3,
      edgeDevice: 'server',
      plan: false,
    }));
    const run = runCli(['--scenario', scenario, '--out', out, '--no-progress']);
    const code = await run.done;
    expect(code, run.stderr()).toBe(0);
    const r = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
    expect(r.scenario.answers).toEqual([
      { name: 'default', forms: {} },
      { name: 'compact', forms: { segmentation: 'classes:zstd', depth: 'f16', normals: 'int8' } },
    ]);
    const base = (answer: string) => r.baseline.find((e) => e.split === 'block4' && e.answer === answer)!;
    const cell = (answer: string) => r.cells.find((c) => c.split === 'block4' && c.answer === answer)!;
    for (const a of ['default', 'compact']) {
      expect(base(a).samples).toBe(3);
      expect(cell(a).samples - cell(a).failed).toBeGreaterThan(0);
    }
    // f32 depth and normals (4 + 12 floats a pixel, 64x64) against f16 depth and int8 normals: about 65 kB against 21 kB
    expect(base('default').answerBytes!).toBeGreaterThan(60_000);
    expect(base('compact').answerBytes!).toBeLessThan(25_000);
    expect(base('default').wireBytesDown).toBeGreaterThan(2.5 * base('compact').wireBytesDown);
    expect(cell('default').wireBytesDown).toBeGreaterThan(2.5 * cell('compact').wireBytesDown);
    // one winner per codec and answer setting; the report names them "int8 / default", "int8 / compact"
    expect(r.winners.map((w) => w.answer).sort()).toEqual(['compact', 'default']);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Answer settings</h2>');
    expect(html).toContain('int8 / compact');
    expect(fs.existsSync(path.join(out, 'latency-int8_compact.svg'))).toBe(true);
    const csv = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').split('\n');
    expect(csv[0]!.split(',')).toContain('answer');
  });
});
