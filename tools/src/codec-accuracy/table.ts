import type { CodecAccuracyResult, CodecAccuracyRow } from './measure.js';

/** Largest accuracy loss of int8 against f32 allowed by the issue bar, in percentage points. */
export const INT8_MAX_LOSS_PP = 0.5;
/** Smallest int8-channel SNR allowed by the issue bar, in dB. */
export const INT8_CHANNEL_MIN_SNR_DB = 35;

const pct = (v: number): string => (100 * v).toFixed(2);
const pp = (v: number): string => (v === 0 ? '0.00' : (v > 0 ? '+' : '') + v.toFixed(2));
const db = (v: number): string => (v === Infinity ? 'lossless' : v.toFixed(1));
const bytes = (v: number | undefined): string => (v === undefined ? '–' : Math.round(v).toString());

/** Markdown table: one row per split point and codec. */
export function formatTable(r: CodecAccuracyResult): string {
  const stages = ['none', 'deflate', 'brotli', 'zstd'].filter((s) => r.rows.some((x) => x.bytesPerSample[s as 'none'] !== undefined));
  const head = [
    'point',
    'shape',
    'codec',
    'G',
    ...r.tasks.map((t) => `${t} %`),
    ...r.tasks.map((t) => `Δ${t} pp`),
    'SNR dB',
    'min SNR dB',
    ...stages.map((s) => `B/sample ${s}`),
    'x f32',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`];
  for (const x of r.rows) {
    const f32 = r.rows.find((y) => y.point === x.point && y.codec === 'f32');
    const ratio = f32 ? (f32.bytesPerSample.none ?? 0) / (x.bytesPerSample.none ?? 1) : NaN;
    lines.push(
      `| ${[
        x.point,
        x.shape.join('×'),
        x.codec,
        String(x.groups),
        ...r.tasks.map((t) => pct(x.accuracy[t])),
        ...r.tasks.map((t) => pp(x.deltaPp[t])),
        db(x.snrDb),
        db(x.minSampleSnrDb),
        ...stages.map((s) => bytes(x.bytesPerSample[s as 'none'])),
        ratio.toFixed(2),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export interface BarCheck {
  name: string;
  pass: boolean;
  detail: string;
}

/** The bars: int8 within 0.5 pp of f32 per task, int8-channel SNR above 35 dB, at every point. */
export function checkBars(r: CodecAccuracyResult): BarCheck[] {
  const out: BarCheck[] = [];
  const by = (codec: string): CodecAccuracyRow[] => r.rows.filter((x) => x.codec === codec);
  const int8 = by('int8');
  if (int8.length > 0) {
    const worst = Math.min(...int8.flatMap((x) => r.tasks.map((t) => x.deltaPp[t])));
    out.push({
      name: `int8 loses at most ${INT8_MAX_LOSS_PP} pp against f32 (every task, every point)`,
      pass: worst >= -INT8_MAX_LOSS_PP,
      detail: `worst Δ ${pp(worst)} pp`,
    });
  }
  const ch = by('int8-channel');
  if (ch.length > 0) {
    const worst = Math.min(...ch.map((x) => x.snrDb));
    const where = ch.find((x) => x.snrDb === worst)?.point ?? '';
    out.push({
      name: `int8-channel SNR above ${INT8_CHANNEL_MIN_SNR_DB} dB (every point)`,
      pass: worst > INT8_CHANNEL_MIN_SNR_DB,
      detail: `lowest ${db(worst)} dB at ${where}`,
    });
  }
  return out;
}
