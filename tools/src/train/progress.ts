import cliProgress from 'cli-progress';
import type { StepInfo } from '@mtl-split/model';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function formatAccuracy(acc: Record<string, number>): string {
  return Object.entries(acc)
    .map(([t, v]) => `${t} ${pct(v)}`)
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
    const payload = { epoch: s.epoch, epochs: this.epochs, loss: s.loss.toFixed(4), acc: formatAccuracy(s.accuracy) };
    if (process.stderr.isTTY) {
      if (!this.bar) {
        this.bar = new cliProgress.SingleBar(
          {
            format: 'epoch {epoch}/{epochs} {bar} {value}/{total} | loss {loss} | train acc {acc} | eta {eta_formatted}',
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
      process.stderr.write(`epoch ${s.epoch}/${this.epochs} step ${s.step}/${s.steps} loss ${payload.loss} train acc ${payload.acc}\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
