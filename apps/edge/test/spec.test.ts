import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EDGE_DEFAULTS, EdgeResultSchema, WorkerJobSchema, edgeArgs, parseEdgeSpec } from '../src/spec.js';
import { parseEdgeArgs } from '../src/options.js';

describe('the edge run contract (spec.ts)', () => {
  it('imports zod only: a harness that reads it loads no gRPC, engine or model', () => {
    const src = fs.readFileSync(new URL('../src/spec.ts', import.meta.url), 'utf8');
    const from = [...src.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(from).toEqual(['zod']);
  });

  it('applies the defaults once, for the library and the CLI alike', () => {
    const lib = parseEdgeSpec({ model: 'm', cloud: undefined });
    expect(lib).toMatchObject(EDGE_DEFAULTS);
    expect(lib.fallback).toBe('local');
    const { json: _j, trace: _t, progress: _p, ...cli } = parseEdgeArgs(['--model', 'm']);
    expect(cli).toEqual(lib);
    expect(() => parseEdgeSpec({ model: 'm', n: 0 })).toThrow(/^invalid edge setting "n": /);
  });

  it('streams by default over the native protocol, unary calls over OIP (which has no stream), either when asked', () => {
    expect(parseEdgeSpec({ model: 'm' }).mode).toBe('stream');
    expect(parseEdgeArgs(['--model', 'm']).mode).toBe('stream');
    expect(parseEdgeArgs(['--model', 'm', '--mode', 'unary']).mode).toBe('unary');
    expect(parseEdgeSpec({ model: 'm', protocol: 'oip' }).mode).toBe('unary');
    expect(parseEdgeArgs(['--model', 'm', '--protocol', 'oip']).mode).toBe('unary');
  });

  it('edgeArgs gives the CLI flags the CLI parses back into the same settings', () => {
    const settings = parseEdgeSpec({
      model: 'm',
      cloud: 'h:1',
      split: 'block2',
      n: 7,
      deadlineMs: 300,
      hedge: false,
      busyPoll: true,
      ratePerS: 3,
      durationS: 2,
      deviceSlowdown: 4,
      quality: 50,
      compress: 'deflate',
      level: 9,
    });
    const args = edgeArgs(settings);
    expect(args).toContain('--no-hedge');
    expect(args).toContain('-n');
    expect(args).toContain('--rate');
    const { json: _j, trace: _t, progress: _p, ...back } = parseEdgeArgs(args);
    expect(back).toEqual(settings);
  });

  it('--tasks, --answer and --inputs per input parse into the settings, and edgeArgs gives them back', () => {
    const o = parseEdgeArgs([
      '--model',
      'm',
      '--tasks',
      'depth,seg',
      '--answer',
      'seg=classes',
      '--answer',
      'depth=f16:zstd',
      '--inputs',
      'rgb=random',
      '--inputs',
      'depth=pics',
    ]);
    expect(o.tasks).toEqual(['depth', 'seg']);
    expect(o.answers).toEqual({ seg: { form: 'classes' }, depth: { form: 'f16', compress: 'zstd' } });
    expect(o.inputs).toEqual(['rgb=random', 'depth=pics']);
    expect(parseEdgeArgs(['--model', 'm', '--inputs', 'random']).inputs).toBe('random');
    const args = edgeArgs(o);
    expect(args.join(' ')).toContain('--tasks depth,seg --answer seg=classes --answer depth=f16:zstd');
    const { json: _j, trace: _t, progress: _p, ...back } = parseEdgeArgs(args);
    const { json: _j2, trace: _t2, progress: _p2, ...want } = o;
    expect(back).toEqual(want);
  });

  it('every malformed --answer is named in one usage error with the valid forms', () => {
    expect(() => parseEdgeArgs(['--model', 'm', '--answer', 'seg=png', '--answer', 'depth', '--answer', 'x=f32:lz4'])).toThrow(
      "invalid --answer 'seg=png', 'depth', 'x=f32:lz4': TASK=FORM[:COMPRESS], FORM one of classes, f32, f16, int8",
    );
  });

  it('a worker job line takes any per-job setting and refuses unknown or per-process ones', () => {
    expect(WorkerJobSchema.safeParse({ id: 1, cloud: 'h:1', splits: ['block2'], mode: 'stream', level: 3 }).success).toBe(true);
    expect(WorkerJobSchema.safeParse({ id: 1, cloud: 'h:1', splits: ['block2'], bogus: 1 }).success).toBe(false);
    expect(WorkerJobSchema.safeParse({ id: 1, cloud: 'h:1', splits: ['block2'], deviceSlowdown: 2 }).success).toBe(false);
  });

  it('the result schema refuses a result without its counts', () => {
    expect(EdgeResultSchema.safeParse({ model: 'm', split: 'block2' }).success).toBe(false);
  });
});
