import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  choiceOption,
  CliExit,
  createProgram,
  engineLine,
  EXIT,
  groupFailures,
  outputTarget,
  parseOptions,
  UsageError,
  VERSION,
} from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'cli-program-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('createProgram', () => {
  const demo = () =>
    createProgram('demo', 'a demo')
      .option('--mode <m>', 'mode', 'a')
      .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  const schema = z.object({ mode: choiceOption('--mode', ['a', 'b']) });

  it('answers --version and -V with exit 0', () => {
    for (const flag of ['--version', '-V']) {
      const err = thrown(() => parseOptions(demo(), [flag], schema));
      expect(err).toBeInstanceOf(CliExit);
      expect((err as CliExit).exitCode).toBe(0);
    }
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('usage errors are UsageErrors of one line, without "error: ", keeping a suggestion', () => {
    const err = thrown(() => parseOptions(demo(), ['--mod', 'x'], schema));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe("unknown option '--mod' (Did you mean --mode?)");
    expect((thrown(() => parseOptions(demo(), ['--mode', 'c'], schema)) as Error).message).toBe("invalid --mode 'c': valid are a, b");
  });

  it('has one set of exit codes and one engine line', () => {
    expect(EXIT).toEqual({ ok: 0, failure: 1, usage: 2, requestsFailed: 3, cloudNeverAnswered: 4, interrupted: 130 });
    expect(engineLine('edge', 'tfjs', 'wasm')).toBe('edge: engine tfjs (wasm)');
  });
});

describe('outputTarget', () => {
  it("'-' is standard output; a file in an existing folder is written atomically", () => {
    expect(outputTarget('--json', '-').toStdout).toBe(true);
    const f = join(tmp, 'r.json');
    const t = outputTarget('--json', f);
    expect(t.toStdout).toBe(false);
    t.write('{"a":1}\n');
    expect(readFileSync(f, 'utf8')).toBe('{"a":1}\n');
  });

  it('refuses, naming the flag, a missing folder, a folder, an empty name and a wrong extension', () => {
    const msg = (fn: () => unknown) => {
      const err = thrown(fn);
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    };
    expect(msg(() => outputTarget('--json', '/missing/dir/x.json'))).toBe(
      "invalid --json '/missing/dir/x.json': folder /missing/dir does not exist",
    );
    expect(msg(() => outputTarget('--json', tmp))).toBe(`invalid --json '${tmp}': is a folder`);
    expect(msg(() => outputTarget('--json', ' '))).toMatch(/^invalid --json: empty path/);
    expect(msg(() => outputTarget('--out', join(tmp, 'grid.jpg'), { allowStdout: false, extension: '.png' }))).toMatch(
      /^invalid --out '.*grid\.jpg': the file name must end in \.png$/,
    );
    expect(msg(() => outputTarget('--out', '-', { allowStdout: false, extension: '.png' }))).toMatch(/must end in \.png/);
  });
});

describe('groupFailures', () => {
  it('groups by status with the most frequent message as the example, most frequent status first', () => {
    const failures = [
      ...Array.from({ length: 50 }, (_, i) => ({
        reason: `DEADLINE_EXCEEDED: Deadline exceeded after ${i}.001s`,
        count: 1,
        status: 'DEADLINE_EXCEEDED',
      })),
      { reason: 'UNAVAILABLE: no connection: connect ECONNREFUSED 127.0.0.1:1', count: 2, status: 'UNAVAILABLE' },
      { reason: 'UNAVAILABLE: stream ended', count: 1, status: 'UNAVAILABLE' },
      { reason: 'something odd', count: 1 },
    ];
    const g = groupFailures(failures);
    expect(g.map((x) => [x.status, x.count])).toEqual([
      ['DEADLINE_EXCEEDED', 50],
      ['UNAVAILABLE', 3],
      ['ERROR', 1],
    ]);
    expect(g[0].example).toBe('Deadline exceeded after 0.001s');
    expect(g[1].example).toBe('no connection: connect ECONNREFUSED 127.0.0.1:1');
    expect(g[2].example).toBe('something odd');
  });

  it('takes the status from the record, never from the reason text', () => {
    const g = groupFailures([{ reason: 'UNAVAILABLE: looks like a status', count: 1 }]);
    expect(g).toEqual([{ status: 'ERROR', count: 1, example: 'UNAVAILABLE: looks like a status' }]);
  });
});
