import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestbedError } from '../src/errors.js';
import { openLink } from '../src/link.js';
import { loadProfileFile, loadProfileTraces, type Profile } from '../src/profiles.js';
import { profileReplaySpec, rateSeries, startProfileReplay } from '../src/timeline/replay.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-trace-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const base = { description: 'd', upKBps: 100, downKBps: 500, latencyMs: 40, jitterMs: 0, source: 'a trace of this test' };

function profileFile(name: string, body: object): string {
  const f = path.join(tmp, `${name}.json`);
  fs.writeFileSync(f, JSON.stringify({ name, ...base, ...body }));
  return f;
}

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TestbedError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('a profile naming a trace', () => {
  it('reads the shipped traces by path from the repository root, in either form', () => {
    const p = loadProfileFile(
      profileFile('lte-drive', {
        trace: { up: 'testbed/traces/lte-drive-up.csv', down: { file: 'testbed/traces/3g-commute.csv', format: 'rates' } },
      }),
    );
    const { up, down } = loadProfileTraces(p);
    expect(up?.durationS).toBe(300);
    expect(down?.intervals.length).toBe(300);
    const spec = profileReplaySpec(p);
    expect(spec.base).toEqual({ upKBps: 100, downKBps: 500, latencyMs: 40, jitterMs: 0 });
  });

  it('names every bad trace reference, its field and file, in one line', () => {
    const bad = profileFile('bad-format', { trace: { up: { file: 'x.csv', format: 'pcap' }, down: 5 } });
    expect(message(() => loadProfileFile(bad))).toContain(
      'field "trace.up.format": Invalid option: expected one of "rates"|"mahimahi"; field "trace.down": Invalid input: expected string or expected object',
    );
    const missing = profileFile('missing', { trace: { up: 'testbed/traces/nope.csv', down: 'testbed/traces/nope.up' } });
    const m = message(() => loadProfileFile(missing));
    expect(m).toContain('missing.json');
    expect(m).toContain('field "trace.up": trace testbed/traces/nope.csv: cannot read it (ENOENT)');
    expect(m).toContain('field "trace.down": trace testbed/traces/nope.up: cannot read it (ENOENT)');
    expect(m).not.toContain('\n');
    expect(message(() => loadProfileFile(profileFile('empty', { trace: {} })))).toContain('a trace needs "up" or "down"');
  });
});

describe('replaying a traced profile on a testbed proxy', () => {
  it("replaces the proxy's constant toxics by the trace's rates and the profile's latency", async () => {
    fs.writeFileSync(path.join(tmp, 'steps.csv'), '0,0.8\n1,4\n');
    const profile: Profile = { name: 'steps', ...base, trace: { up: path.join(tmp, 'steps.csv') } };
    const sink = net.createServer((s) => s.resume());
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const link = await openLink(undefined);
    try {
      const proxy = await link.createProxy('trace', { host: '127.0.0.1', port: (sink.address() as net.AddressInfo).port });
      await proxy.shape(profile);
      const replay = await startProfileReplay(link, proxy, profile, { durationS: 1.5 });
      const names = async (): Promise<[string, number][]> => {
        const list = (await (await fetch(`${link.url}/proxies/${proxy.name}/toxics`)).json()) as {
          name: string;
          attributes: Record<string, number>;
        }[];
        return list.map((t) => [t.name, t.attributes.rate ?? t.attributes.latency ?? -1]);
      };
      expect(await names()).toEqual([
        ['link_latency_up', 20],
        ['link_bandwidth_up', 100],
        ['link_latency_down', 20],
        ['link_bandwidth_down', 500],
      ]);
      const steps = await replay.done;
      expect((await names())[1]).toEqual(['link_bandwidth_up', 500]);
      const series = rateSeries(steps);
      expect(series.map((p) => p.upMbps)).toEqual([0.8, 4]);
      expect(series[1]!.t).toBeGreaterThanOrEqual(1);
      expect(series[1]!.t).toBeLessThan(1.5);
    } finally {
      await link.close();
      await new Promise((r) => sink.close(r));
    }
  });
});
