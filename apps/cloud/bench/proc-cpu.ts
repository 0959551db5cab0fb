import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc stat times (Linux default). */
const TICK = 100;

/** CPU seconds (user + system) of a process and its children now running (a cloud's workers), from /proc. */
export function cpuSeconds(pid: number): number {
  const pids = [pid, ...readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)];
  return pids.reduce((s, p) => {
    const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
    return s + (Number(f[11]) + Number(f[12])) / TICK;
  }, 0);
}
