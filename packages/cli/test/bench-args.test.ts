import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./fixtures/demo-bench.ts', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('benchArgs', () => {
  it('parses flags with their defaults', () => {
    expect(JSON.parse(run().out)).toEqual({ rounds: 2, quick: false });
    expect(JSON.parse(run('--rounds', '7', '--quick').out)).toEqual({ rounds: 7, quick: true });
  });

  it('prints the usage for --help and exits 0', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe('usage: demo-bench [--rounds 2] [--quick]');
  });

  it('refuses an unknown flag or a bad number with one line and the usage, exit 2, no stack trace', () => {
    for (const [args, says] of [
      [['--bogus'], "Unknown option '--bogus'"],
      [['--rounds', '11'], "--rounds must be an integer in 1..10, got '11'"],
      [['--rounds', 'x'], "--rounds must be an integer in 1..10, got 'x'"],
    ] as const) {
      const r = run(...args);
      expect(r.code).toBe(2);
      const lines = r.err.trim().split('\n');
      expect(lines[0]).toContain(`demo bench: ${says}`);
      expect(lines[1]).toBe('usage: demo-bench [--rounds 2] [--quick]');
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
