import { traceFromStarts } from '../trace.js';
import { dataLines, Problems } from './problems.js';
import type { TraceFormat } from './types.js';

/** Bytes one Mahimahi delivery opportunity carries (one MTU-sized packet). */
export const MAHIMAHI_PACKET_BYTES = 1500;

/** The delivery times (ms) of a Mahimahi file, checked: whole numbers >= 0, never decreasing. */
function timestamps(text: string, problems: Problems): number[] {
  const out: number[] = [];
  for (const { line, fields } of dataLines(text)) {
    const ms = Number(fields[0]);
    if (fields.length !== 1 || !Number.isInteger(ms) || ms < 0)
      problems.add(line, `"${fields.join(' ')}" is not a whole number of ms >= 0`);
    else if (out.length && ms < out[out.length - 1]!)
      problems.add(line, `${ms} ms is before the previous line's ${out[out.length - 1]} ms`);
    else out.push(ms);
  }
  if (!out.length) problems.addGeneral('no delivery opportunities (expected one time in ms per line)');
  else if (out[out.length - 1]! <= 0) problems.addGeneral('the last delivery time must be > 0 ms (it is the trace period)');
  return out;
}

/**
 * Mahimahi's packet-delivery format: one line per opportunity for one 1500-byte packet to cross the
 * link, the time in ms from the start (several packets in one ms repeat it). The trace's period is its
 * last timestamp (Mahimahi repeats it from there). Converted to rates by counting opportunities per bin
 * of `binMs` (default 1000): rate = count x 1500 B / bin; a bin without any is a rate of 0. The last bin
 * is the rest of the period (an opportunity at exactly the period counts in it).
 */
export const mahimahiFormat: TraceFormat = {
  name: 'mahimahi',
  description: 'one line per 1500-byte delivery opportunity, its time in ms (Mahimahi)',
  parse(text, source, { binMs = 1000 }) {
    const problems = new Problems(source);
    if (!(binMs > 0)) problems.addGeneral(`binMs ${binMs} must be > 0`);
    const ts = timestamps(text, problems);
    problems.throwIfAny();
    const period = ts[ts.length - 1]!;
    const bins = Math.ceil(period / binMs);
    const counts = new Array<number>(bins).fill(0);
    for (const t of ts) counts[Math.min(bins - 1, Math.floor(t / binMs))]! += 1;
    const lastS = (period - (bins - 1) * binMs) / 1000;
    const rows = counts.map((c, i) => {
      const seconds = i === bins - 1 ? lastS : binMs / 1000;
      return { startS: (i * binMs) / 1000, mbps: (c * MAHIMAHI_PACKET_BYTES * 8) / 1e6 / seconds };
    });
    return traceFromStarts(source, rows, lastS);
  },
};
