import { pino, type Logger } from 'pino';

export type { Logger };
import { prettyFactory } from 'pino-pretty';

/**
 * What a program's log lines look like: pino's JSON, or on a terminal the same lines made readable by
 * pino-pretty (time, level, message, fields). One function for every long-running program.
 */
export function logFormatter(terminal: boolean): (line: string) => string {
  if (!terminal) return (line) => line;
  const pretty = prettyFactory({ colorize: true, singleLine: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,app' });
  return (line) => pretty(line);
}

export interface LoggerOptions {
  /** pino level (default info). */
  level?: string;
  /** Where lines go (default stderr, so stdout stays for results). */
  stream?: NodeJS.WriteStream;
  /** JSON even on a terminal. */
  json?: boolean;
  /**
   * Where each formatted line goes instead of `stream.write` (for example above a progress bar); `stream`
   * still decides the format (readable on a terminal, JSON otherwise).
   */
  sink?: (formatted: string) => void;
}

/**
 * The logger of a program: pino, human-readable on a terminal and JSON otherwise (`app` names the
 * program). Writes synchronously: for command-line programs; a server that must never block on its log
 * uses logFormatter with its own asynchronous destination.
 */
export function createLogger(tool: string, o: LoggerOptions = {}): Logger {
  const stream = o.stream ?? process.stderr;
  const format = logFormatter(!o.json && stream.isTTY === true);
  const sink = o.sink ?? ((s: string) => void stream.write(s));
  return pino({ level: o.level ?? 'info', base: { app: tool } }, { write: (line: string) => sink(format(line)) });
}
