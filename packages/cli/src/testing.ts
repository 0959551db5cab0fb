import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { programCommand } from './launch.js';

/** The repository root (programs are spawned from there). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: string[];
  exit: Promise<number | null>;
}

export interface SpawnOptions {
  /** Run as `node --import tsx` with IMPORT_RECORDER preloaded after tsx: read what it loaded with `importRecord(lines)`. */
  recordImports?: boolean;
}

/** A module to preload with `node --import` (after tsx): at exit it prints one line `IMPORT-RECORD <json>`. */
export const IMPORT_RECORDER = fileURLToPath(new URL('./import-recorder/record.mjs', import.meta.url));

/** What a process loaded: every module URL resolved through the ESM loader, and whether tfjs-core was evaluated. */
export interface ImportRecord {
  urls: string[];
  tfEngine: boolean;
}

/** The import record among a spawned program's stdout lines (spawnTs with `recordImports`); throws when there is none. */
export function importRecord(lines: readonly Record<string, unknown>[]): ImportRecord {
  const prefix = 'IMPORT-RECORD ';
  const hit = lines.find((l) => typeof l.raw === 'string' && l.raw.startsWith(prefix));
  if (!hit) throw new Error(`no '${prefix.trim()}' line among ${lines.length} stdout lines: was the program spawned with recordImports?`);
  return JSON.parse((hit.raw as string).slice(prefix.length)) as ImportRecord;
}

/**
 * Spawn a TypeScript entry point (a path relative to the repository root) as one process, the way the root
 * package.json starts the apps (`programCommand`: its precompiled bundle, no transpile at start); collects
 * stdout lines (JSON log lines parsed, others as `{ raw }`) and stderr.
 */
export function spawnTs(script: string, args: string[], options: SpawnOptions = {}): Spawned {
  const run = options.recordImports
    ? { command: process.execPath, args: ['--import', 'tsx', '--import', IMPORT_RECORDER, script, ...args] }
    : programCommand(script, args);
  const child = spawn(run.command, run.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ raw: line });
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, stderr, exit };
}

/** Wait for a log line with the given msg (or fail after ms). */
export async function waitForLog(s: Spawned, msg: string, ms = 60_000): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const hit = s.lines.find((l) => l.msg === msg);
    if (hit) return hit;
    if (s.child.exitCode !== null) throw new Error(`process exited (${s.child.exitCode}): ${s.stderr.join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no '${msg}' log line within ${ms} ms`);
}

/** Stops spawned programs (SIGTERM to those still running) and waits for every one to exit. */
export async function stopSpawned(all: readonly Spawned[]): Promise<void> {
  await Promise.all(
    all.map((s) => {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
      return s.exit;
    }),
  );
}
