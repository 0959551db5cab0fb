import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTable, groupResultFailures, type EdgeResult } from '../src/index.js';
import { tinyBundles } from './bundle.js';
import { spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';

// The edge program as a command-line tool: usage errors, --version, --json -, and its table.
const CLOUD = 'apps/cloud/src/main.ts';
const EDGE = 'apps/edge/src/main.ts';
let dirs: string[];
let cleanup: () => void;
let cloud: Spawned;
let address: string;

beforeAll(async () => {
  ({ dirs, cleanup } = await tinyBundles(['tiny-edge-cli']));
  cloud = spawnTs(CLOUD, ['--model', dirs[0], '--port', '0', '--metrics-port', '0']);
  const l = await waitForLog(cloud, 'listening');
  address = `127.0.0.1:${l.port as number}`;
}, 90_000);

afterAll(async () => {
  if (cloud && cloud.child.exitCode === null) {
    cloud.child.kill('SIGTERM');
    await cloud.exit;
  }
  cleanup?.();
});

describe('edge CLI conventions', () => {
  it('usage errors exit 2 with one line before anything runs; --version exits 0', async () => {
    const cases: [string[], RegExp][] = [
      [['--split', 'block9'], /^edge: invalid --split 'block9': valid are input, .*, all, auto, edge-only, cloud-only$/],
      [['--codec', 'int3'], /^edge: invalid --codec 'int3': valid are f32, f16, int8, int8-channel, uint4, png, jpeg, webp, u8$/],
      [['--compress', 'lz4'], /^edge: invalid --compress 'lz4': valid are none, deflate, brotli, zstd$/],
      [['--mode', 'batch'], /^edge: invalid --mode 'batch': valid are unary, stream$/],
      [['--json', '/missing/dir/x.json'], /^edge: invalid --json '\/missing\/dir\/x\.json': folder \/missing\/dir does not exist$/],
      [['--bogus'], /^edge: unknown option '--bogus'$/],
      // task subsets and answer codecs checked against the bundle's tasks, every problem in one line
      [
        ['--tasks', 'left,depth', '--answer', 'left=classes'],
        /^edge: --tasks: 'depth' is not a task of the bundle \(valid are left, right\); --answer left=classes: a classification task answers f32, f16, int8$/,
      ],
      [
        ['--answer', 'left=png'],
        /^edge: invalid --answer 'left=png': TASK=FORM\[:COMPRESS\], FORM one of classes, f32, f16, int8, COMPRESS one of/,
      ],
    ];
    const runs = cases.map(([args]) => spawnTs(EDGE, ['--model', dirs[0], '--cloud', address, ...args]));
    for (const [i, [, want]] of cases.entries()) {
      expect(await runs[i].exit).toBe(2);
      expect(runs[i].stderr.join('').trim()).toMatch(want);
      expect(runs[i].lines).toEqual([]);
    }
    const v = spawnTs(EDGE, ['--version']);
    expect(await v.exit).toBe(0);
    expect(v.lines.map((l) => l.raw)).toEqual([expect.stringMatching(/^edge \d+\.\d+\.\d+/)]);
  }, 60_000);

  it('--json - writes only the JSON on stdout (a JSON parser reads it); the table goes to stderr', async () => {
    const s = spawnTs(EDGE, ['--model', dirs[0], '--cloud', address, '--split', 'block1', '-n', '3', '--json', '-', '--no-progress']);
    let stdout = '';
    s.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    expect(await s.exit).toBe(0);
    const r = JSON.parse(stdout) as EdgeResult;
    expect(r).toMatchObject({ split: 'block1', samples: 3, failed: 0 });
    expect(s.stderr.join('')).toMatch(/split +codec +mode/);
  }, 60_000);
});

describe('edge table', () => {
  const summary = { p50: 0, p95: 0, p99: 0, mean: 0 };
  const failedRun = (failures: EdgeResult['failures']): EdgeResult =>
    ({
      model: 'm',
      split: 'block1',
      codec: 'int8',
      compress: 'none',
      samples: 50,
      failed: 50,
      failures,
      accuracy: { left: 0, right: 0 },
      latencyMs: { edge: summary, encode: summary, network: summary, cloud: summary, decode: summary, total: summary },
      bytesPerSample: 0,
      throughputPerSec: 0,
      engine: 'tfjs',
      backend: 'wasm',
      mode: 'unary',
      concurrency: 1,
      meanBatchSize: 0,
      busyPoll: false,
    }) as unknown as EdgeResult;

  it('an all-failed run shows n/a, not 0.00% and 0.00 ms, and one line per failure status', () => {
    const failures = Array.from({ length: 50 }, (_, i) => ({
      reason: `DEADLINE_EXCEEDED: Deadline exceeded after 1.${String(i).padStart(3, '0')}s`,
      count: 1,
      status: 'DEADLINE_EXCEEDED',
    }));
    const table = formatTable([groupResultFailures(failedRun(failures))]);
    const [, , row, ...rest] = table.split('\n');
    expect(row).not.toMatch(/0\.00/);
    expect(row.match(/n\/a/g)).toHaveLength(12);
    expect(rest.filter((l) => l.startsWith('block1:'))).toEqual([
      'block1: 50 failed DEADLINE_EXCEEDED, e.g. Deadline exceeded after 1.000s',
    ]);
    expect(groupResultFailures(failedRun(failures)).failures).toEqual([
      { reason: 'DEADLINE_EXCEEDED: Deadline exceeded after 1.000s', count: 50, status: 'DEADLINE_EXCEEDED' },
    ]);
  });
});
