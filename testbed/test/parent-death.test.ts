import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Children of the testbed die with their parent however it dies: kill -9 of the parent stops the child.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mtl-split-parent-death-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('parent-death watch', () => {
  it('a child of the Supervisor exits after its parent is killed with SIGKILL', async () => {
    const parent = join(dir, 'parent.ts');
    writeFileSync(
      parent,
      `import { Supervisor } from ${JSON.stringify(join(ROOT, 'testbed/src/supervisor.ts'))};
const sup = new Supervisor();
const c = sup.spawn({ label: 'sleeper', command: process.execPath, args: ['-e', 'process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(0) }); setInterval(() => {}, 1000)'], cwd: ${JSON.stringify(dir)} });
console.log(String(c.pid));
setInterval(() => {}, 1000);
`,
    );
    const p = spawn(process.execPath, ['--import', 'tsx', parent], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const childPid = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no child pid')), 30_000);
      p.stdout.once('data', (d: Buffer) => {
        clearTimeout(t);
        resolve(Number(d.toString().trim()));
      });
    });
    expect(alive(childPid)).toBe(true);
    p.kill('SIGKILL');
    let gone = false;
    for (let i = 0; i < 200 && !gone; i++) {
      await new Promise((r) => setTimeout(r, 50));
      gone = !alive(childPid);
    }
    if (!gone) process.kill(childPid, 'SIGKILL');
    expect(gone).toBe(true);
  }, 60_000);
});
