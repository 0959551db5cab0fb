import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor, lastLine, waitForLine } from '../src/supervisor.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

// a child that starts a grandchild, prints both pids and a "listening" line, and ignores SIGTERM if asked
const PARENT = `
const { spawn } = require('node:child_process');
const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
if (process.argv[1] === 'stubborn') process.on('SIGTERM', () => {});
console.log(JSON.stringify({ msg: 'listening', port: 1234, child: g.pid }));
setInterval(() => {}, 1000);
`;

const sup = new Supervisor();
afterEach(async () => {
  await sup.stopAll(500);
});

describe('Supervisor', () => {
  it('waits for the ready line, then stops the child and its grandchild', async () => {
    const c = sup.spawn({ label: 'parent', command: process.execPath, args: ['-e', PARENT], cwd: process.cwd() });
    const ready = await waitForLine(
      sup,
      c,
      (l) => (l.includes('"listening"') ? (JSON.parse(l) as { port: number; child: number }) : undefined),
      10_000,
    );
    expect(ready.port).toBe(1234);
    expect(alive(c.pid)).toBe(true);
    expect(alive(ready.child)).toBe(true);
    await sup.stop(c);
    expect(alive(c.pid)).toBe(false);
    expect(await until(() => !alive(ready.child), 2000)).toBe(true);
    expect(sup.running).toBe(0);
  });

  it('kills a child that ignores SIGTERM after the grace period, and runs cleanups once', async () => {
    let cleaned = 0;
    sup.addCleanup(() => {
      cleaned += 1;
    });
    const c = sup.spawn({ label: 'stubborn', command: process.execPath, args: ['-e', PARENT, 'stubborn'], cwd: process.cwd() });
    await waitForLine(sup, c, (l) => (l.includes('listening') ? true : undefined), 10_000);
    const t = Date.now();
    await sup.stopAll(300);
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
    expect(alive(c.pid)).toBe(false);
    await sup.stopAll(300);
    expect(cleaned).toBe(1);
  });

  it('reports a child that exits before it is ready with its last error line', async () => {
    const c = sup.spawn({
      label: 'cloud',
      command: process.execPath,
      args: ['-e', 'console.error("cloud: bundle models/x: no such folder"); process.exit(3)'],
      cwd: process.cwd(),
    });
    await expect(waitForLine(sup, c, () => undefined, 10_000)).rejects.toThrow(
      /^cloud: exited with code 3 before it was ready: cloud: bundle models\/x: no such folder$/,
    );
    expect(lastLine(c)).toBe(': cloud: bundle models/x: no such folder');
  });

  it('times out a child that never becomes ready, leaving it to stop', async () => {
    const c = sup.spawn({ label: 'slow', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], cwd: process.cwd() });
    await expect(waitForLine(sup, c, () => undefined, 300)).rejects.toThrow(/^slow: not ready after 0 s$/);
    await sup.stopAll();
    expect(alive(c.pid)).toBe(false);
  });
});
