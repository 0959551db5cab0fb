import { setTimeout as sleep } from 'node:timers/promises';
import { Toxiproxy } from 'toxiproxy-node-client';
import { profileToxics } from '../client/profile.js';
import { replayDuration, replaySteps, type ReplayStep, type TraceReplaySpec } from './schedule.js';
import { ToxicWriter } from './toxic-writer.js';

export interface TraceReplayOptions {
  /** Base URL of the Toxiproxy HTTP API (a real Toxiproxy or the embedded server: `Link.url`). */
  url: string;
  /** The proxy whose toxics the replay sets. */
  proxy: string;
  spec: TraceReplaySpec;
  /** Called after each step has been applied. */
  onStep?: (step: AppliedStep) => void;
}

/** A step as it was applied: `appliedS` is when its last API call returned, s from the replay's start. */
export interface AppliedStep extends ReplayStep {
  appliedS: number;
}

export interface TraceReplay {
  /** Epoch ms at which the first step had been applied (the replay's 0 s). */
  readonly startedAt: number;
  readonly durationS: number;
  readonly steps: readonly ReplayStep[];
  /** Resolves with the applied steps when the replay has run its duration (or was stopped); rejects if an API call fails. */
  readonly done: Promise<AppliedStep[]>;
  /** Ends the replay early (the link keeps the conditions of the step in force, holds released). */
  stop(): Promise<AppliedStep[]>;
  /** Removes every toxic the replay made (after it ended). */
  clear(): Promise<void>;
}

/** Applies one step: holds switched on before the rates change and off after, so nothing slips past a hold. */
async function applyStep(writer: ToxicWriter, step: ReplayStep): Promise<void> {
  const specs = profileToxics(step.profile);
  for (const stream of ['upstream', 'downstream'] as const) if (step.hold[stream]) await writer.hold(stream, true);
  await writer.apply([...specs.upstream, ...specs.downstream]);
  for (const stream of ['upstream', 'downstream'] as const) if (!step.hold[stream]) await writer.hold(stream, false);
}

async function runSteps(
  writer: ToxicWriter,
  steps: readonly ReplayStep[],
  o: { t0: number; durationS: number; signal: AbortSignal; label: string; onStep?: (s: AppliedStep) => void },
): Promise<AppliedStep[]> {
  const applied: AppliedStep[] = [];
  const wait = async (atS: number): Promise<boolean> => {
    const ms = o.t0 + atS * 1000 - Date.now();
    if (ms > 0) await sleep(ms, undefined, { signal: o.signal }).catch(() => undefined);
    return !o.signal.aborted;
  };
  for (const [i, step] of steps.entries()) {
    if (i > 0 && !(await wait(step.atS))) break;
    if (i > 0) {
      await applyStep(writer, step).catch((err: Error) => {
        throw new Error(`${o.label}: the step at ${step.atS} s: ${err.message}`, { cause: err });
      });
    }
    const done = { ...step, appliedS: (Date.now() - o.t0) / 1000 };
    applied.push(done);
    o.onStep?.(done);
  }
  await wait(o.durationS);
  await writer.releaseHolds();
  return applied;
}

/**
 * Replays a trace on a proxy: applies the first step, then each next one at its time (measured from the
 * first, so late timers do not add up), through Toxiproxy's HTTP API, so the same replay drives the
 * embedded server and a real Toxiproxy. Resolves once the first step is in force.
 */
export async function startTraceReplay(options: TraceReplayOptions): Promise<TraceReplay> {
  const steps = replaySteps(options.spec);
  const durationS = replayDuration(options.spec);
  const writer = new ToxicWriter(new Toxiproxy(options.url).getApi(), options.url, options.proxy);
  const label = `trace replay on proxy "${options.proxy}" at ${options.url}`;
  try {
    await writer.reset();
    await applyStep(writer, steps[0]!);
  } catch (err) {
    throw new Error(`${label}: ${(err as Error).message}`, { cause: err });
  }
  const t0 = Date.now();
  const abort = new AbortController();
  const done = runSteps(writer, steps, { t0, durationS, signal: abort.signal, label, onStep: options.onStep });
  done.catch(() => undefined); // handled by whoever awaits `done` or `stop()`
  return {
    startedAt: t0,
    durationS,
    steps,
    done,
    stop: () => {
      abort.abort();
      return done;
    },
    clear: async () => {
      abort.abort();
      await done.catch(() => undefined);
      await writer.clear();
    },
  };
}
