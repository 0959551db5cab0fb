import { spawn } from 'node:child_process';
import { readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMPORT_RECORDER, importRecord, ROOT, type ImportRecord } from '../src/testing.js';

// bin/launch.mjs, which the root package.json's cloud and edge scripts run: `--version` alone answered
// without tsx or the program; anything else runs the program (its precompiled bundle, or under tsx) with its own argv.
const LAUNCH = 'packages/cli/bin/launch.mjs';
const DEMO = 'packages/cli/test/fixtures/demo-program.ts';
const CACHE = join(ROOT, 'node_modules/.cache/mtl-split-launch');

interface Run {
  code: number | null;
  stdout: string[];
  stderr: string;
  record: ImportRecord;
}

/** Runs node with the import recorder preloaded (and tsx too when `tsx`), from the repository root. */
function node(args: string[], tsx = false, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const pre = [...(tsx ? ['--import', 'tsx'] : []), '--import', IMPORT_RECORDER];
  const child = spawn(process.execPath, [...pre, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      const lines = out.split('\n').filter((l) => l !== '');
      const record = importRecord(lines.map((raw) => ({ raw })));
      resolve({ code, stdout: lines.filter((l) => !l.startsWith('IMPORT-RECORD ')), stderr: err, record });
    }),
  );
}

const loaded = (r: ImportRecord, part: string): boolean => r.urls.some((u) => u.includes(part));

describe('bin/launch.mjs', () => {
  it('answers --version and -V alone with the line commander prints, loading neither tsx nor the program', async () => {
    const direct = await node([DEMO, '--version'], true);
    expect(direct.code).toBe(0);
    expect(direct.stdout).toEqual([expect.stringMatching(/^demo \d+\.\d+\.\d+/)]);
    for (const flag of ['--version', '-V']) {
      const r = await node([LAUNCH, 'demo', DEMO, flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toEqual(direct.stdout);
      expect(loaded(r.record, '/tsx/')).toBe(false);
      expect(loaded(r.record, 'demo-program')).toBe(false);
    }
  }, 60_000);

  it('runs anything else from its precompiled bundle, or under tsx with MTL_SPLIT_LAUNCH=tsx, with the program as argv[1] and its own arguments', async () => {
    for (const how of ['bundle', 'tsx']) {
      const r = await node([LAUNCH, 'demo', DEMO, '--mode', 'b'], false, how === 'tsx' ? { MTL_SPLIT_LAUNCH: 'tsx' } : {});
      expect(r.code, r.stderr).toBe(0);
      const seen = JSON.parse(r.stdout[0]) as { script: string; args: string[]; mode: string };
      expect(seen).toEqual({ script: `${ROOT}${DEMO}`, args: ['--mode', 'b'], mode: 'b' });
      expect(loaded(r.record, '/tsx/'), how).toBe(how === 'tsx');
      expect(loaded(r.record, '/node_modules/.cache/mtl-split-launch/demo-'), how).toBe(how === 'bundle');
    }
  }, 60_000);

  it('rebuilds the bundle when a source is newer than it', async () => {
    const entry = join(ROOT, 'packages/cli/test/fixtures', `stale-${process.pid}.ts`);
    const write = (word: string, at: Date): void => {
      writeFileSync(entry, `process.stdout.write('${word}\\n');\n`);
      utimesSync(entry, at, at);
    };
    try {
      write('first', new Date(Date.now() - 60_000));
      expect((await node([LAUNCH, `stale${process.pid}`, entry])).stdout).toEqual(['first']);
      write('second', new Date(Date.now() + 1000));
      expect((await node([LAUNCH, `stale${process.pid}`, entry])).stdout).toEqual(['second']);
    } finally {
      rmSync(entry, { force: true });
      for (const f of readdirSync(CACHE)) if (f.startsWith(`stale${process.pid}`)) rmSync(join(CACHE, f), { recursive: true, force: true });
    }
  }, 60_000);

  it('leaves --version among other flags, --help and usage errors to the program (commander)', async () => {
    const both = await node([LAUNCH, 'demo', DEMO, '--mode', 'b', '--version']);
    expect([both.code, both.stdout]).toEqual([0, [expect.stringMatching(/^demo \d/)]]);
    expect(loaded(both.record, '/node_modules/.cache/mtl-split-launch/demo-')).toBe(true);
    const help = await node([LAUNCH, 'demo', DEMO, '--help']);
    expect([help.code, help.stdout[0]]).toEqual([0, 'Usage: demo [options]']);
    const bad = await node([LAUNCH, 'demo', DEMO, '--bogus']);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, "demo: unknown option '--bogus'"]);
  }, 60_000);

  it('without a program name and entry: a usage line, exit 2', async () => {
    const r = await node([LAUNCH]);
    expect([r.code, r.stderr.trim()]).toEqual([2, 'launch: usage: node packages/cli/bin/launch.mjs <program-name> <entry.ts> [args...]']);
  });
});
