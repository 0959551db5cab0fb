import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { programCommand } from '@mtl-split/cli';
import { REPO_ROOT } from '../src/paths.js';

export interface CliRun {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<number>;
}

/** Run the experiment CLI (testbed/src/main.ts) from the repo root, as one process (its precompiled bundle). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const run = programCommand('testbed/src/main.ts', args);
  const proc = spawn(run.command, run.args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const done = new Promise<number>((resolve) => proc.on('exit', (code, sig) => resolve(code ?? (sig === 'SIGINT' ? 130 : 128))));
  return { proc, stdout: () => out, stderr: () => err, done };
}

/** Pids whose parent is `pid` (Linux /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** The command line of `pid` (NUL-separated, from /proc), or undefined when it is gone. */
export function cmdline(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** True when `pid` runs esbuild's service binary (tsx's compiler), read from /proc. */
export function isEsbuildService(pid: number): boolean {
  try {
    const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return /(^|\/)esbuild$/.test(argv0);
  } catch {
    return false;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
