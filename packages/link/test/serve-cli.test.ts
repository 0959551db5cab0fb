import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { programCommand } from '@mtl-split/cli';
import { Toxiproxy } from 'toxiproxy-node-client';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/cli/serve.ts', import.meta.url));

interface Run {
  firstLine: Promise<string>;
  exit: Promise<{ code: number | null; stderr: string }>;
  kill(): void;
}

function run(args: string[]): Run {
  const p = programCommand(entry, args);
  const child = spawn(p.command, p.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const firstLine = new Promise<string>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
    });
    child.once('exit', () => resolve(stdout.split('\n')[0]));
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    }),
  );
  return { firstLine, exit, kill: () => child.kill('SIGTERM') };
}

describe('serve CLI', () => {
  it('serves the API until SIGTERM, then exits 0', async () => {
    const cli = run(['--port', '0']);
    const line = await cli.firstLine;
    const url = /http:\/\/[0-9.]+:\d+/.exec(line)?.[0];
    expect(url).toBeDefined();
    const client = new Toxiproxy(url as string);
    expect(await client.getVersion()).toContain('version');
    cli.kill();
    expect((await cli.exit).code).toBe(0);
  });

  it('rejects a bad flag with a one-line error and a non-zero exit', async () => {
    const cli = run(['--port', 'nope']);
    const { code, stderr } = await cli.exit;
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/--port/);
  });
});
