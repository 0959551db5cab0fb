import { CliExit, EXIT, logFormatter } from '@mtl-split/cli';
import { pino, type Logger } from 'pino';

/** The cloud's log and how the process ends once it is written. */
export interface LogOutput {
  log: Logger;
  /** Lines dropped so far because stdout was not read. */
  dropped(): number;
  /**
   * Ends `main` with `code` (through runMain) once the buffered lines are written, or after 1 s if stdout
   * is not being read: then the buffer is dropped (the destination destroyed), since pino's exit hook
   * would otherwise retry writing it forever. Its line, if any, was written before.
   */
  exit(code: number): Promise<void>;
}

/**
 * Logs never block serving: an asynchronous destination (writes leave the event loop), with a bounded
 * buffer of `bufferBytes`: when stdout is not read and the buffer is full, lines are dropped and counted
 * (mtl_split_log_lines_dropped_total) instead of stalling requests.
 */
export function openLog(level: string, bufferBytes: number): LogOutput {
  const dest = pino.destination({ dest: 1, sync: false, maxLength: bufferBytes });
  let dropped = 0;
  let pending = 0; // bytes handed to the destination and not yet written or dropped
  dest.on('drop', (data: string | Buffer) => {
    dropped++;
    pending -= Buffer.byteLength(data);
  });
  dest.on('write', (n: number) => void (pending -= n));
  // a closed stdout (EPIPE) must not kill the server
  dest.on('error', () => undefined);
  // JSON lines, made readable when stdout is a terminal (tools that start the cloud read JSON from a pipe)
  const format = logFormatter(process.stdout.isTTY === true);
  const counted = {
    write(json: string): void {
      const line = format(json);
      pending += Buffer.byteLength(line);
      dest.write(line);
    },
  };
  const log = pino({ level, base: { app: 'cloud', pid: process.pid } }, counted);
  const exit = async (code: number): Promise<void> => {
    const until = performance.now() + 1000;
    while (pending > 0 && performance.now() <= until) await new Promise((r) => setTimeout(r, 5));
    if (pending > 0) dest.destroy();
    if (code !== EXIT.ok) throw new CliExit(code);
  };
  return { log, dropped: () => dropped, exit };
}
