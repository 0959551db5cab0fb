import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CliExit, intOption, numberOption, parseOptions } from '../src/index.js';
import { ROOT, spawnTs, waitForLog } from '../src/testing.js';

function program(): Command {
  return new Command('demo')
    .requiredOption('--model <dir>', 'bundle')
    .option('--port <n>', 'port', '50051')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
}
const schema = z.object({ model: z.string().min(1), port: intOption('--port', 0, 65535) });

describe('numberOption', () => {
  it('takes finite numbers in range and names the flag otherwise', () => {
    const o = numberOption('--wait-ms', 0, 10);
    expect(o.parse('2.5')).toBe(2.5);
    expect(o.parse('0')).toBe(0);
    expect(() => o.parse('abc')).toThrow(/--wait-ms must be a number/);
    expect(() => o.parse('11')).toThrow(/--wait-ms must be a number in 0\.\.10/);
    expect(() => o.parse('-1')).toThrow(/--wait-ms must be a number in 0\.\.10/);
    expect(() => o.parse('Infinity')).toThrow(/--wait-ms must be a number/);
  });
});

describe('parseOptions', () => {
  it('returns the options checked and converted by the schema', () => {
    expect(parseOptions(program(), ['--model', 'm', '--port', '7'], schema)).toEqual({ model: 'm', port: 7 });
  });

  it('turns commander and schema errors into one line without "error: "', () => {
    expect(() => parseOptions(program(), [], schema)).toThrow(/^required option '--model <dir>' not specified$/);
    expect(() => parseOptions(program(), ['--model', 'm', '--bogus'], schema)).toThrow(/^unknown option '--bogus'/);
    expect(() => parseOptions(program(), ['--model', 'm', '--port', 'x'], schema)).toThrow(/^--port must be a number$/);
    expect(() => parseOptions(program(), ['--model', 'm', '--port', '70000'], schema)).toThrow(/^--port must be an integer in 0\.\.65535$/);
    expect(() => parseOptions(program(), ['--model', 'm', '--port', '1.5'], schema)).toThrow(/^--port must be an integer/);
  });

  it('--help is a request to exit 0', () => {
    let caught: unknown;
    try {
      parseOptions(program(), ['--help'], schema);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CliExit);
    expect((caught as CliExit).exitCode).toBe(0);
  });
});

describe('spawnTs', () => {
  it('runs a TypeScript file from the repository root and collects its JSON log lines and stderr', { timeout: 30_000 }, async () => {
    const script = 'packages/cli/test/fixtures/logs.ts';
    const run = spawnTs(script, ['hello']);
    const line = await waitForLog(run, 'ready', 20_000);
    expect(line.arg).toBe('hello');
    expect(await run.exit).toBe(3);
    expect(run.lines.some((l) => l.raw === 'not json')).toBe(true);
    expect(run.stderr.join('')).toContain('bye');
    expect(ROOT.endsWith('/')).toBe(true);
  });
});
