import cliProgress from 'cli-progress';
import type { StepInfo } from '@mtl-split/model';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function formatAccuracy(acc: Record<string, number>): string {
  return Object.entries(acc)
    .map(([t, v]) => `${t} ${pct(v)}`)
    .join(', ');
}

const DEGREE_KEYS = new Set(['meanAngleDegrees', 'medianAngleDegrees']);
const SHARE_KEYS = new Set(['accuracy', 'meanIoU', 'pixelAccuracy', 'within11_25', 'within22_5', 'within30', 'relativeError']);

/** One line per task: its metrics (shares in %, angles in degrees, errors in the target's units). */
export function formatMetrics(metrics: Record<string, Record<string, number>>): string[] {
  return Object.entries(metrics).map(
    ([task, m]) =>
      `${task}: ${Object.entries(m)
        .map(([k, v]) => `${k} ${SHARE_KEYS.has(k) ? pct(v) : DEGREE_KEYS.has(k) ? `${v.toFixed(2)} deg` : v.toFixed(4)}`)
        .join(', ')}`,
  );
}

/** Running mean loss of each task, short (progress). */
export function formatLosses(losses: Record<string, number>): string {
  return Object.entries(losses)
    .map(([t, v]) => `${t} ${v.toFixed(3)}`)
    .join(', ');
}

/** A progress bar on an interactive terminal; periodic plain lines otherwise (logs). */
export class TrainProgress {
  private bar: cliProgress.SingleBar | null = null;
  private lastLine = 0;

  constructor(
    private readonly enabled: boolean,
    private readonly epochs: number,
  ) {}

  step(s: StepInfo): void {
    if (!this.enabled) return;
    const payload = {
      epoch: s.epoch,
      epochs: this.epochs,
      loss: s.loss.toFixed(4),
      acc: formatAccuracy(s.accuracy),
      losses: formatLosses(s.taskLoss),
    };
    if (process.stderr.isTTY) {
      if (!this.bar) {
        this.bar = new cliProgress.SingleBar(
          {
            format: 'epoch {epoch}/{epochs} {bar} {value}/{total} | loss {loss} ({losses}) | train acc {acc} | eta {eta_formatted}',
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(s.steps, 0, payload);
      }
      this.bar.update(s.step, payload);
      if (s.step === s.steps) this.stop();
      return;
    }
    const now = Date.now();
    if (now - this.lastLine > 15_000 || s.step === s.steps) {
      this.lastLine = now;
      process.stderr.write(
        `epoch ${s.epoch}/${this.epochs} step ${s.step}/${s.steps} loss ${payload.loss} (${payload.losses}) train acc ${payload.acc}\n`,
      );
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
