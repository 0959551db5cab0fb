import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '@mtl-split/cli/testing';

// Runs the shell blocks of examples/tutorial/README.md as written, in order, from the repository root,
// with two substitutions: a free port for 50051 and a temporary folder for out/tutorial. A block after
// `<!-- tutorial-test: background -->` (the cloud) runs in the background until its port answers.

const TUTORIAL = join(ROOT, 'examples/tutorial/README.md');
const PYTHON = '/usr/bin/python3';
const HAVE_TORCH = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const HAVE_JQ = spawnSync('jq', ['--version'], { stdio: 'ignore' }).status === 0;
if (!HAVE_TORCH) console.warn(`tutorial test skipped: ${PYTHON} cannot import torch (Debian: apt-get install python3-torch)`);
if (!HAVE_JQ) console.warn('tutorial test skipped: no jq on PATH (Debian: apt-get install jq)');

interface Block {
  lang: string;
  code: string;
  background: boolean;
}

/** The fenced code blocks of a Markdown text, in order. */
function fencedBlocks(markdown: string): Block[] {
  const re = /(<!-- tutorial-test: background -->\n)?```(\w*)\n([\s\S]*?)```/g;
  return [...markdown.matchAll(re)].map((m) => ({ lang: m[2], code: m[3], background: m[1] !== undefined }));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once 127.0.0.1:port accepts a connection; polls every 200 ms for at most `ms`. */
async function waitForPort(port: number, ms: number, child: ChildProcess): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; ) {
    if (child.exitCode !== null) throw new Error(`background block exited with ${child.exitCode} before port ${port} answered`);
    const open = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.end();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`port ${port} did not answer within ${ms} ms`);
}

interface Run {
  child: ChildProcess;
  out: string[];
  exit: Promise<number | null>;
}

function runBash(code: string): Run {
  // its own process group, so that the background block's npm, shell and node all stop together
  const child = spawn('bash', ['-e', '-c', code], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: `/usr/bin:${process.env.PATH ?? ''}` },
  });
  const out: string[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  return { child, out, exit: new Promise((resolve) => child.on('exit', (c) => resolve(c))) };
}

const dir = mkdtempSync(join(tmpdir(), 'tutorial-'));
const background: Run[] = [];
afterAll(async () => {
  for (const b of background) {
    if (b.child.exitCode === null && b.child.pid !== undefined) {
      process.kill(-b.child.pid, 'SIGINT');
      await b.exit;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the tutorial (examples/tutorial/README.md)', () => {
  const blocks = fencedBlocks(readFileSync(TUTORIAL, 'utf8'));

  it('shows examples/tutorial/my_net.py verbatim', () => {
    const python = blocks.filter((b) => b.lang === 'python');
    expect(python).toHaveLength(1);
    expect(python[0].code).toBe(readFileSync(join(ROOT, 'examples/tutorial/my_net.py'), 'utf8'));
  });

  it.skipIf(!HAVE_TORCH || !HAVE_JQ)(
    'runs: export, import, plan, cloud and edge on 127.0.0.1',
    async () => {
      const port = await freePort();
      const shell = blocks
        .filter((b) => b.lang === 'sh')
        .map((b) => ({ ...b, code: b.code.replaceAll('50051', String(port)).replaceAll('out/tutorial', dir) }));
      expect(shell.length).toBeGreaterThanOrEqual(5);
      const outputs: string[] = [];
      for (const b of shell) {
        const r = runBash(b.code);
        if (b.background) {
          background.push(r);
          await waitForPort(port, 60_000, r.child);
          continue;
        }
        const code = await r.exit;
        outputs.push(r.out.join(''));
        expect(code, `${b.code}\n${r.out.join('')}`).toBe(0);
      }
      const all = outputs.join('\n');
      expect(all).toContain(`wrote ${dir}/my-net.onnx`);
      expect(all).toMatch(/import: wrote .*my-net: tasks shape:3, colour:4, input image \[3,32,32\] NCHW/);
      expect(all).toMatch(/edge device rpi4 \(compute x4\)/);
      expect(all).toMatch(/best split for lte \(int8, answer all\): /);
      expect(all).toMatch(/best split for 3g \(int8, answer all\): /);
      // every split point answered by the cloud, equal to the whole network run locally
      const edge = JSON.parse(readFileSync(join(dir, 'edge.json'), 'utf8')) as {
        split: string;
        answeredByCloud: number;
        maxAbsDiff: number;
      }[];
      expect(edge.map((r) => r.split)).toContain('input');
      expect(edge.length).toBeGreaterThanOrEqual(5);
      for (const r of edge) {
        expect(r.answeredByCloud, r.split).toBe(8);
        expect(r.maxAbsDiff, r.split).toBeLessThanOrEqual(1e-4);
      }
      expect(outputs.at(-1)).toMatch(/^input: 8 answered by the cloud, maxAbsDiff /m);
    },
    150_000,
  );
});
