import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Socket } from 'node:net';
import readline from 'node:readline';
import { TestbedError } from './errors.js';

export interface SpawnOptions {
  /** Label used in messages, e.g. "cloud" or "edge lte/int8". */
  label: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Append the child's stdout and stderr to this file. */
  logFile?: string;
  /** Called for each stdout line. */
  onLine?: (line: string) => void;
  /** Give the child a stdin pipe (`child.proc.stdin`); default none. */
  stdin?: boolean;
}

export interface Child {
  label: string;
  pid: number;
  proc: ChildProcess;
  /** Resolves with the exit code (or 128+signal number) when the child exits. */
  exited: Promise<number>;
  /** Last lines of stderr (and non-JSON stdout), for error messages. */
  tail(): string[];
}

const SIGNAL_CODES: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Preload of the parent-death watch (see parent-watch.mjs). */
const PARENT_WATCH = new URL('./parent-watch.mjs', import.meta.url).href;
/** The child's fd of the parent-death pipe. */
const PARENT_FD = 3;

/**
 * Starts children in their own process groups and guarantees they are stopped: on `stopAll()`, on normal
 * exit of this process, and on SIGINT/SIGTERM (after which this process exits with 130/143).
 */
export class Supervisor {
  private readonly children = new Set<Child>();
  private readonly cleanups: Array<() => Promise<void> | void> = [];
  private handlersInstalled = false;
  private stopping: Promise<void> | null = null;

  private readonly onExit = (): void => {
    for (const c of this.children) killGroup(c.pid, 'SIGKILL');
  };
  private readonly onSignal = (sig: NodeJS.Signals): void => {
    process.stderr.write(`\n${sig}: stopping child processes...\n`);
    void this.stopAll().finally(() => process.exit(128 + (SIGNAL_CODES[sig] ?? 1)));
  };

  /** Install process-wide handlers (exit, SIGINT, SIGTERM). Call once from a CLI. */
  installSignalHandlers(): void {
    if (this.handlersInstalled) return;
    this.handlersInstalled = true;
    process.on('exit', this.onExit);
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  uninstallSignalHandlers(): void {
    if (!this.handlersInstalled) return;
    this.handlersInstalled = false;
    process.off('exit', this.onExit);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  /** Register an async cleanup (e.g. closing the embedded proxy) run by stopAll after children stop. */
  addCleanup(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  get running(): number {
    return this.children.size;
  }

  spawn(o: SpawnOptions): Child {
    // Parent-death watch: a Node child gets one end of a pipe as fd 3 and preloads parent-watch.mjs,
    // which stops it when the pipe closes, i.e. when this process dies however it dies (kill -9 too).
    const isNode = o.command === process.execPath;
    const args = isNode ? ['--import', PARENT_WATCH, ...o.args] : o.args;
    const env = { ...(o.env ?? process.env), ...(isNode ? { MTL_SPLIT_PARENT_FD: String(PARENT_FD) } : {}) };
    const proc = spawn(o.command, args, {
      cwd: o.cwd,
      env,
      detached: true, // own process group: we can signal the whole tree
      stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    // our end of the pipe must not keep this process alive
    (proc.stdio[PARENT_FD] as Socket | null)?.unref();
    if (proc.pid === undefined) throw new TestbedError(`${o.label}: could not start ${o.command}`);
    const log = o.logFile ? fs.createWriteStream(o.logFile, { flags: 'a' }) : null;
    const tailLines: string[] = [];
    const pushTail = (l: string): void => {
      tailLines.push(l);
      if (tailLines.length > 40) tailLines.shift();
    };
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      log?.write(line + '\n');
      if (!line.startsWith('{')) pushTail(line);
      else if (/"level":\s*(50|60)/.test(line)) pushTail(line);
      o.onLine?.(line);
    });
    readline.createInterface({ input: proc.stderr! }).on('line', (line) => {
      log?.write(line + '\n');
      pushTail(line);
    });
    const exited = new Promise<number>((resolve) => {
      proc.on('exit', (code, signal) => {
        this.children.delete(child);
        resolve(code ?? 128 + (signal ? (SIGNAL_CODES[signal] ?? 1) : 1));
      });
      proc.on('error', () => {
        this.children.delete(child);
        resolve(127);
      });
    });
    void exited.then(() => setTimeout(() => log?.end(), 50));
    const child: Child = { label: o.label, pid: proc.pid, proc, exited, tail: () => [...tailLines] };
    this.children.add(child);
    return child;
  }

  /** SIGTERM the child's group, SIGKILL after `graceMs`; resolves when it exited. */
  async stop(c: Child, graceMs = 3000): Promise<void> {
    if (!this.children.has(c)) return;
    killGroup(c.pid, 'SIGTERM');
    const t = setTimeout(() => killGroup(c.pid, 'SIGKILL'), graceMs);
    await c.exited;
    clearTimeout(t);
    // the leader exited; make sure nothing else of its group survives
    killGroup(c.pid, 'SIGKILL');
  }

  /** Stop every child, then run the cleanups (idempotent). */
  stopAll(graceMs = 3000): Promise<void> {
    if (!this.stopping) {
      this.stopping = (async () => {
        await Promise.all([...this.children].map((c) => this.stop(c, graceMs)));
        for (const fn of this.cleanups.splice(0).reverse()) {
          try {
            await fn();
          } catch {
            /* best effort */
          }
        }
      })().finally(() => {
        this.stopping = null;
      });
    }
    return this.stopping;
  }
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    /* already gone */
  }
}

/** Wait for the first stdout line for which `match` returns a value; fails if the child exits or time runs out. */
export function waitForLine<T>(sup: Supervisor, c: Child, match: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (f: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      c.proc.stdout?.off('data', onData);
      f();
    };
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const v = match(line);
        if (v !== undefined) {
          finish(() => resolve(v));
          return;
        }
      }
    };
    c.proc.stdout?.on('data', onData);
    const timer = setTimeout(
      () => finish(() => reject(new TestbedError(`${c.label}: not ready after ${Math.round(timeoutMs / 1000)} s${lastLine(c)}`))),
      timeoutMs,
    );
    void c.exited.then((code) =>
      finish(() => reject(new TestbedError(`${c.label}: exited with code ${code} before it was ready${lastLine(c)}`))),
    );
    void sup;
  });
}

/** ": <last meaningful stderr line>" or "" — for one-line error messages. */
export function lastLine(c: Child): string {
  const lines = c
    .tail()
    .map((l) => l.trim())
    .filter((l) => l && !/^\s*at\s/.test(l));
  const last = lines.at(-1);
  if (!last) return '';
  if (last.startsWith('{')) {
    try {
      const j = JSON.parse(last) as { msg?: unknown; err?: { message?: unknown } };
      const m = typeof j.err?.message === 'string' ? j.err.message : typeof j.msg === 'string' ? j.msg : last;
      return `: ${m}`;
    } catch {
      /* fall through */
    }
  }
  return `: ${last.length > 300 ? last.slice(0, 300) + '…' : last}`;
}
