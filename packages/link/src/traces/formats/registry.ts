import fs from 'node:fs';
import type { RateTrace } from '../trace.js';
import { mahimahiFormat } from './mahimahi.js';
import { TraceError, dataLines } from './problems.js';
import { ratesFormat } from './rates.js';
import type { TraceFormat, TraceParseOptions } from './types.js';

/** Trace formats by name. */
export const TRACE_FORMATS = { rates: ratesFormat, mahimahi: mahimahiFormat } as const satisfies Record<string, TraceFormat>;
export type TraceFormatName = keyof typeof TRACE_FORMATS;
export const TRACE_FORMAT_NAMES = Object.keys(TRACE_FORMATS) as TraceFormatName[];

/** The format of a text by its first data line: one field is Mahimahi, two or three the plain rates. */
export function guessFormat(text: string): TraceFormatName {
  const first = dataLines(text)[0];
  return first && first.fields.length === 1 ? 'mahimahi' : 'rates';
}

export interface ReadTraceOptions extends TraceParseOptions {
  /** The file's format (default: guessed from its first data line). */
  format?: TraceFormatName;
}

/** Parses a trace text in the given (or guessed) format. */
export function parseTrace(text: string, source: string, options: ReadTraceOptions = {}): RateTrace {
  const format = options.format ?? guessFormat(text);
  const kind: TraceFormat | undefined = TRACE_FORMATS[format];
  if (!kind) throw new TraceError(`trace ${source}: unknown format "${format}" (valid: ${TRACE_FORMAT_NAMES.join(', ')})`);
  return kind.parse(text, source, options);
}

/** Reads a trace file; an unreadable file or bad content is a one-line TraceError naming it. */
export function readTraceFile(file: string, options: ReadTraceOptions = {}): RateTrace {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new TraceError(`trace ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  return parseTrace(text, file, options);
}
