import { traceFromStarts, type RateTrace } from '../trace.js';
import { dataLines, numberField, Problems } from './problems.js';
import type { TraceFormat } from './types.js';

type Row = { startS: number; mbps: number; latencyMs?: number };

/** One data line as a row, or a problem: `seconds mbit_per_s [latency_ms]`. */
function row(fields: string[], prev: Row | undefined): Row | string {
  if (fields.length < 2 || fields.length > 3) return `expected "seconds, mbit_per_s[, latency_ms]", found ${fields.length} field(s)`;
  const startS = numberField(fields[0]);
  const mbps = numberField(fields[1]);
  const latency = numberField(fields[2]);
  if (startS === undefined || startS < 0) return `seconds "${fields[0]}" is not a number >= 0`;
  if (mbps === undefined || mbps < 0) return `mbit_per_s "${fields[1]}" is not a number >= 0`;
  if (fields[2] !== undefined && (latency === undefined || latency < 0)) return `latency_ms "${fields[2]}" is not a number >= 0`;
  if (prev && startS <= prev.startS) return `seconds ${startS} is not after the previous line's ${prev.startS}`;
  if (!prev && startS !== 0) return `the first line's seconds is ${startS}; a trace starts at 0`;
  const latencyMs = latency ?? prev?.latencyMs;
  return latencyMs === undefined ? { startS, mbps } : { startS, mbps, latencyMs };
}

/**
 * The plain per-interval format: per line `seconds mbit_per_s [latency_ms]` (comma, tab or spaces between
 * fields; `#` comments, blank lines and a header line of names are ignored). `seconds` is when the rate
 * starts (first line 0, increasing); the rate holds until the next line, and the last line as long as the
 * gap before it (1 s if it is the only line). A missing latency keeps the previous line's. The Norway
 * HSDPA traces (`time_s throughput_mbps`) are in this format.
 */
export const ratesFormat: TraceFormat = {
  name: 'rates',
  description: 'per line "seconds, mbit_per_s[, latency_ms]": the rate from that second until the next line',
  parse(text, source) {
    const problems = new Problems(source);
    const lines = dataLines(text);
    if (lines.length && numberField(lines[0]!.fields[0]) === undefined) lines.shift(); // a header
    const rows: Row[] = [];
    for (const { line, fields } of lines) {
      const r = row(fields, rows[rows.length - 1]);
      if (typeof r === 'string') problems.add(line, r);
      else rows.push(r);
    }
    if (!lines.length) problems.addGeneral('no data lines (expected "seconds, mbit_per_s[, latency_ms]")');
    problems.throwIfAny();
    const n = rows.length;
    const lastS = n > 1 ? rows[n - 1]!.startS - rows[n - 2]!.startS : 1;
    return traceFromStarts(source, rows, lastS);
  },
};

/** Writes a trace in the plain format (a comment header, then one line per interval). */
export function formatRates(trace: RateTrace, header: readonly string[] = []): string {
  const round = (x: number, d: number): string => String(Number(x.toFixed(d)));
  const hasLatency = trace.intervals.some((iv) => iv.latencyMs !== undefined);
  const lines = [...header.map((h) => `# ${h}`), hasLatency ? 'seconds,mbit_per_s,latency_ms' : 'seconds,mbit_per_s'];
  for (const iv of trace.intervals) {
    const cols = [round(iv.startS, 3), round(iv.mbps, 4)];
    if (hasLatency && iv.latencyMs !== undefined) cols.push(round(iv.latencyMs, 1));
    lines.push(cols.join(','));
  }
  return `${lines.join('\n')}\n`;
}
