import { describe, expect, it } from 'vitest';
import type cliProgress from 'cli-progress';
import { etaText, formatDuration } from '../src/duration.js';
import { progressFormat } from '../src/progress.js';

describe('durations on the progress bar', () => {
  it('formats seconds, minutes and hours without a unit at its own limit', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(9.4)).toBe('9s');
    expect(formatDuration(59.6)).toBe('1m00s');
    expect(formatDuration(61)).toBe('1m01s');
    expect(formatDuration(719.9)).toBe('12m00s');
    expect(formatDuration(719.9, 5)).toBe('12m00s');
    expect(formatDuration(717, 5)).toBe('11m55s');
    expect(formatDuration(3599.8)).toBe('1h00m');
    expect(formatDuration(3600 + 59 * 60 + 50)).toBe('2h00m');
    expect(formatDuration(2 * 3600 + 3 * 60 + 10)).toBe('2h03m');
    expect(formatDuration(-3)).toBe('0s');
    expect(formatDuration(Number.NaN)).toBe('0s');
    // no "60" minutes or seconds anywhere in a sweep of values
    for (let t = 0; t < 4 * 3600; t += 1.3) expect(formatDuration(t, t > 60 ? 5 : 1)).not.toMatch(/(^|[hm])60[ms]$/);
  });

  it('the ETA says estimating… until a cell is done and the estimate is a number', () => {
    expect(etaText(0, 0)).toBe('estimating…');
    expect(etaText(0, '0')).toBe('estimating…');
    expect(etaText(3, 'INF')).toBe('estimating…');
    expect(etaText(3, 'NULL')).toBe('estimating…');
    expect(etaText(3, 718)).toBe('12m00s');
    expect(etaText(3, 42)).toBe('42s');
  });

  it("the bar's line uses them (cli-progress's formatter, rendered to a string)", () => {
    const options = {
      format: progressFormat,
      barsize: 10,
      barCompleteString: '#'.repeat(11),
      barIncompleteString: '-'.repeat(11),
      barGlue: '',
      autopaddingChar: '0',
    } as unknown as cliProgress.Options;
    const line = (value: number, eta: unknown, startTime: number): string =>
      (progressFormat as Exclude<cliProgress.Options['format'], string | undefined>)(
        options,
        {
          value,
          total: 20,
          eta,
          startTime,
          stopTime: startTime + 26_000,
          progress: value / 20,
          maxWidth: 200,
        } as unknown as cliProgress.Params,
        { stage: 'baseline' },
      );
    expect(line(0, '0', 0)).toMatch(/0\/20 cells \| 26s elapsed, ETA estimating… \| baseline$/);
    expect(line(1, 718, 0)).toMatch(/1\/20 cells \| 26s elapsed, ETA 12m00s \| baseline$/);
  });
});
