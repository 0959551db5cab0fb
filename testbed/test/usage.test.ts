import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPRESSIONS as CODEC_COMPRESSIONS } from '@mtl-split/codec';
import { COMPRESSIONS, loadScenario } from '../src/scenario.js';
import { runCli } from './cli.js';

// The experiment program as a command-line tool: --version, exit 2 for what the command line gets wrong.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-usage-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('experiment command line', () => {
  it('--version exits 0; bad flags, unknown scenarios, conflicting flags and an existing --out exit 2 with one line', {
    timeout: 120_000,
  }, async () => {
    fs.writeFileSync(path.join(tmp, 'a-file'), '');
    const v = runCli(['--version']);
    expect(await v.done).toBe(0);
    expect(v.stdout().trim()).toMatch(/^experiment \d+\.\d+\.\d+/);
    const cases: [string[], RegExp][] = [
      [['--bogus'], /^experiment: unknown option '--bogus'$/],
      [['--scenario', 'nope'], /^experiment: invalid --scenario: unknown scenario "nope" \(valid: .*dense.*multimnist.*\)$/],
      [['--quick', '--scenario', 'multimnist'], /^experiment: --quick and --scenario name different scenarios; give one of them$/],
      [['--quick', '--out', tmp], /^experiment: invalid --out '.*': it already exists \(choose another folder\)$/],
      // missing parents are created, but not through a file or where nothing can be made
      [['--quick', '--out', path.join(tmp, 'a-file/sub/out')], /^experiment: invalid --out '.*': .*a-file is a file, not a folder$/],
      [
        ['--quick', '--out', '/proc/mtl-split-no/out'],
        /^experiment: invalid --out '.*': cannot create folder \/proc\/mtl-split-no: ENOENT$/,
      ],
      [
        ['--toxiproxy-url', 'ftp://x'],
        /^experiment: option '--toxiproxy-url <url>' argument 'ftp:\/\/x' is invalid\. not an http\(s\) URL/,
      ],
    ];
    const runs = cases.map(([args]) => runCli(args));
    for (const [i, [args, want]] of cases.entries()) {
      expect(await runs[i].done, args.join(' ')).toBe(2);
      expect(runs[i].stderr().trim().split('\n'), args.join(' ')).toEqual([expect.stringMatching(want)]);
    }
  });
});

describe('scenario compressions', () => {
  it('accepts the compressions edge and plan accept, zstd included', () => {
    expect([...COMPRESSIONS]).toEqual([...CODEC_COMPRESSIONS]);
    const f = path.join(tmp, 'zstd.json');
    fs.writeFileSync(
      f,
      JSON.stringify({
        name: 'zstd',
        model: 'models/multimnist-resnet',
        profiles: ['lte'],
        splits: ['input'],
        codecs: ['int8'],
        compress: 'zstd',
        samples: 3,
      }),
    );
    expect(loadScenario(f).compress).toBe('zstd');
  });
});
