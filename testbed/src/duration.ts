/**
 * A duration for people: "42s", "11m05s", "2h03m". The total is rounded (to `roundTo` seconds) before it is
 * split into units, so a unit never shows its own limit ("11m60s"). Negative or non-finite input is "0s".
 */
export function formatDuration(seconds: number, roundTo = 1): string {
  const step = Math.max(1, Math.round(roundTo));
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds / step) * step : 0;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (total >= 3600 - 30) {
    const minutes = Math.round(total / 60); // hours show whole minutes
    return `${Math.floor(minutes / 60)}h${pad(minutes % 60)}m`;
  }
  if (total >= 60) return `${Math.floor(total / 60)}m${pad(total % 60)}s`;
  return `${total}s`;
}

/** What the progress bar shows as its ETA: "estimating…" until a unit is done and a finite estimate exists. */
export function etaText(done: number, etaSeconds: unknown): string {
  if (done <= 0 || typeof etaSeconds !== 'number' || !Number.isFinite(etaSeconds)) return 'estimating…';
  return formatDuration(etaSeconds, etaSeconds > 60 ? 5 : 1);
}
