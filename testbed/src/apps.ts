import fs from 'node:fs';
import { z } from 'zod';
import { programCommand } from '@mtl-split/cli';
import {
  EDGE_DEFAULTS,
  EdgeResultSchema,
  edgeArgs,
  type EdgeResult,
  type EdgeRunInput,
  type EdgeRunSpec,
  type WorkerJob,
} from '@mtl-split/edge/spec';
import { TestbedError, formatIssues } from './errors.js';
import { REPO_ROOT } from './paths.js';
import { lastLine, waitForLine, type Child, type Supervisor } from './supervisor.js';

function appEnv(backend: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (backend) env.MTL_SPLIT_BACKEND = backend;
  return env;
}

export interface CloudHandle {
  child: Child;
  port: number;
  metricsPort?: number;
}

/** Start the cloud app on an ephemeral port and wait for its `"msg":"listening"` line. */
export async function startCloud(
  sup: Supervisor,
  o: {
    bundle: string;
    runtime?: string;
    backend?: string;
    deviceSlowdown?: number;
    logFile?: string;
    timeoutMs?: number;
    label?: string;
    port?: number;
  },
): Promise<CloudHandle> {
  const { command, args } = programCommand('apps/cloud/src/main.ts', [
    '--model',
    o.bundle,
    '--port',
    String(o.port ?? 0),
    '--host',
    '127.0.0.1',
    '--metrics-port',
    '0',
    ...(o.runtime ? ['--runtime', o.runtime] : []),
    ...(o.deviceSlowdown !== undefined && o.deviceSlowdown !== 1 ? ['--device-slowdown', String(o.deviceSlowdown)] : []),
  ]);
  const child = sup.spawn({ label: o.label ?? 'cloud', command, args, cwd: REPO_ROOT, env: appEnv(o.backend), logFile: o.logFile });
  const ready = await waitForLine(
    sup,
    child,
    (line) => {
      if (!line.startsWith('{')) return undefined;
      try {
        const j = JSON.parse(line) as { msg?: unknown; port?: unknown; metricsPort?: unknown };
        if (j.msg === 'listening' && typeof j.port === 'number') {
          return { port: j.port, metricsPort: typeof j.metricsPort === 'number' ? j.metricsPort : undefined };
        }
      } catch {
        /* not JSON */
      }
      return undefined;
    },
    o.timeoutMs ?? 120_000,
  ).catch(async (e: unknown) => {
    await sup.stop(child);
    throw e;
  });
  return { child, ...ready };
}

// the edge's result contract (a schema, no app code): the testbed validates what the edge writes with it
export { EdgeResultSchema };
export type { EdgeResult };

/**
 * One spawned edge run: the edge's run settings (its contract, `@mtl-split/edge/spec`; those left out take
 * the edge's defaults), turned into its flags by `edgeArgs`, and what the harness needs around it.
 */
export interface EdgeRun extends EdgeRunInput {
  jsonFile: string;
  logFile?: string;
  label: string;
  timeoutMs: number;
  /** Edge flags that are not run settings (e.g. --trace). */
  extraArgs?: string[];
  /** Exit codes that still mean a result was written (default 0 only; 3 = some requests failed). */
  okCodes?: number[];
}

/** Run the edge app to completion and return its validated JSON result(s). */
export async function runEdge(sup: Supervisor, r: EdgeRun): Promise<EdgeResult[]> {
  return spawnEdge(sup, r).result;
}

/** Starts the edge app; `result` resolves with its validated JSON result(s) once it exited (`child` to signal it). */
export function spawnEdge(sup: Supervisor, r: EdgeRun): { child: Child; result: Promise<EdgeResult[]> } {
  fs.rmSync(r.jsonFile, { force: true });
  const { jsonFile, logFile, label, timeoutMs, extraArgs, okCodes, ...settings } = r;
  const { command, args } = programCommand('apps/edge/src/main.ts', [
    ...edgeArgs({ ...settings, deadlineMs: Math.ceil(r.deadlineMs ?? EDGE_DEFAULTS.deadlineMs) }),
    '--json',
    jsonFile,
    '--no-progress',
    ...(extraArgs ?? []),
  ]);
  const child = sup.spawn({ label, command, args, cwd: REPO_ROOT, env: appEnv(r.backend), logFile });
  return { child, result: edgeResult(sup, child, { label, jsonFile, timeoutMs, okCodes }) };
}

async function edgeResult(
  sup: Supervisor,
  child: Child,
  r: Pick<EdgeRun, 'label' | 'jsonFile' | 'timeoutMs' | 'okCodes'>,
): Promise<EdgeResult[]> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void sup.stop(child);
  }, r.timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  if (timedOut) throw new TestbedError(`${r.label}: edge did not finish within ${Math.round(r.timeoutMs / 1000)} s`);
  if (!(r.okCodes ?? [0]).includes(code)) throw new TestbedError(`${r.label}: edge exited with code ${code}${lastLine(child)}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(r.jsonFile, 'utf8'));
  } catch (e) {
    throw new TestbedError(`${r.label}: edge wrote no readable JSON result (${(e as Error).message})`);
  }
  const parsed = z.array(EdgeResultSchema).safeParse(Array.isArray(raw) ? raw : [raw]);
  if (!parsed.success) throw new TestbedError(`${r.label}: edge JSON result: ${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** A long-lived edge process (apps/edge/src/worker.ts) that runs the edge app's split runs for one bundle. */
export interface EdgeWorker {
  child: Child;
  /** Runs one job (split points in turn) and returns their validated results; rejects with a one-line error. */
  run(job: Omit<WorkerJobLine, 'id'>, label: string, timeoutMs: number): Promise<EdgeResult[]>;
  /** Ends the worker (closes its stdin, then stops it). */
  close(): Promise<void>;
}

/** A job as the worker reads it: `WorkerJob` of the edge's contract (id, cloud, splits, any run setting). */
export type WorkerJobLine = WorkerJob;

const WorkerLine = z.union([
  z.object({ worker: z.literal('ready') }).loose(),
  z.object({ worker: z.literal('result'), id: z.number(), results: z.array(EdgeResultSchema) }).loose(),
  z.object({ worker: z.literal('error'), id: z.number(), message: z.string() }).loose(),
]);

type Pending = Map<number, { resolve: (r: EdgeResult[]) => void; reject: (e: Error) => void }>;

/** The handler of a worker's stdout lines: `ready`, and each job's result or error settling its pending job. */
function workerLines(pending: Pending, label: string, onReady: () => void): (line: string) => void {
  return (line) => {
    if (!line.startsWith('{"worker"')) return;
    let parsed: z.infer<typeof WorkerLine>;
    try {
      const p = WorkerLine.safeParse(JSON.parse(line));
      if (!p.success) {
        const id = (JSON.parse(line) as { id?: unknown }).id;
        const w = typeof id === 'number' ? pending.get(id) : undefined;
        if (w) {
          pending.delete(id as number);
          w.reject(new TestbedError(`${label}: edge JSON result: ${formatIssues(p.error.issues)}`));
        }
        return;
      }
      parsed = p.data;
    } catch {
      return;
    }
    if (parsed.worker === 'ready') return onReady();
    const w = pending.get(parsed.id);
    if (!w) return;
    pending.delete(parsed.id);
    if (parsed.worker === 'result') w.resolve(parsed.results);
    else w.reject(new TestbedError(parsed.message));
  };
}

/** Resolves once the worker said `ready`; rejects (and stops it) when it exits first or is not ready in time. */
async function waitReady(sup: Supervisor, child: Child, ready: Promise<void>, label: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TestbedError(`${label}: not ready after ${Math.round(timeoutMs / 1000)} s${lastLine(child)}`)),
      timeoutMs,
    );
    void child.exited.then((code) => reject(new TestbedError(`${label}: exited with code ${code} before it was ready${lastLine(child)}`)));
  });
  try {
    await Promise.race([ready, failed]);
  } catch (e) {
    await sup.stop(child);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** The running worker: `run` writes a job line and settles with its answer (or its timeout), `close` ends it. */
function workerHandle(sup: Supervisor, child: Child, pending: Pending): EdgeWorker {
  let next = 0;
  return {
    child,
    run: (job, label, timeoutMs) =>
      new Promise<EdgeResult[]>((resolve, reject) => {
        const id = ++next;
        const timer = setTimeout(() => {
          pending.delete(id);
          void sup.stop(child);
          reject(new TestbedError(`${label}: edge did not finish within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(new TestbedError(`${label}: edge failed: ${e.message}`));
          },
        });
        // the worker takes whole milliseconds; a computed deadline (10x a prediction) is rounded up
        child.proc.stdin!.write(
          `${JSON.stringify({ id, ...job, ...(job.deadlineMs !== undefined ? { deadlineMs: Math.ceil(job.deadlineMs) } : {}) } satisfies WorkerJobLine)}\n`,
        );
      }),
    close: async () => {
      child.proc.stdin?.end();
      const t = setTimeout(() => void sup.stop(child), 10_000);
      await child.exited;
      clearTimeout(t);
      await sup.stop(child);
    },
  };
}

/**
 * Starts an edge worker for `bundle` with the edge settings given (its device, image quality, engine,
 * samples, ...: the worker's flags, for every job), and waits until the bundle is open. Its jobs run one at
 * a time, in the order given.
 */
export async function startEdgeWorker(
  sup: Supervisor,
  o: Partial<EdgeRunSpec> & { bundle: string; logFile?: string; label: string; timeoutMs?: number },
): Promise<EdgeWorker> {
  const { bundle, logFile, label, timeoutMs, ...settings } = o;
  const { command, args } = programCommand('apps/edge/src/worker.ts', edgeArgs({ ...settings, model: bundle }));
  const pending: Pending = new Map();
  let onReady = (): void => undefined;
  const ready = new Promise<void>((r) => (onReady = r));
  const child = sup.spawn({
    label,
    command,
    args,
    cwd: REPO_ROOT,
    env: appEnv(o.backend),
    logFile,
    onLine: workerLines(pending, label, () => onReady()),
    stdin: true,
  });
  void child.exited.then((code) => {
    for (const [id, w] of pending) {
      pending.delete(id);
      w.reject(new TestbedError(`exited with code ${code}${lastLine(child)}`));
    }
  });
  await waitReady(sup, child, ready, label, timeoutMs ?? 120_000);
  return workerHandle(sup, child, pending);
}
