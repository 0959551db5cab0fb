import { join } from 'node:path';
import { ROOT, spawnTs, waitForLog, type Spawned, stopSpawned } from '@mtl-split/cli/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BREAKER, EdgeClient } from '../src/index.js';
import { freePort, NGINX, type RunningNginx, startNginx } from './nginx.js';

// Deployed without Kubernetes: two cloud replicas behind nginx's grpc_pass on loopback, one killed
// (SIGKILL, no drain) mid-run; the edge, which knows only nginx's address, loses no request, unary or stream.

const MODEL = 'models/multimnist-resnet';
const SAMPLES = 60;
const KILL_AFTER = 20;

if (!NGINX) console.warn('nginx failover test skipped: no nginx (Debian: apt-get install nginx; npm test installs it)');

async function startCloud(): Promise<{ cloud: Spawned; port: number; metricsPort: number }> {
  const port = await freePort();
  // one process (node --import tsx): a SIGKILL then kills the server itself, not a wrapper
  const cloud = spawnTs('apps/cloud/src/main.ts', ['--model', MODEL, '--port', String(port), '--metrics-port', '0']);
  const listening = await waitForLog(cloud, 'listening', 90_000);
  return { cloud, port, metricsPort: listening.metricsPort as number };
}

/** Requests a replica answered (mtl_split_requests_total, status OK), from its metrics port. */
async function answered(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('mtl_split_requests_total{') && l.includes('status="OK"') && !l.includes('method="Describe"'))
    .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Deterministic inputs in [0, 1] of the bundle's input shape [28, 28, 1]. */
function sample(i: number): Float32Array {
  const x = new Float32Array(28 * 28);
  let s = 7919 * (i + 1);
  for (let k = 0; k < x.length; k++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[k] = (s >>> 8) / 2 ** 24;
  }
  return x;
}

const clouds: Spawned[] = [];
let nginx: RunningNginx | undefined;

afterEach(async () => {
  await nginx?.stop();
  nginx = undefined;
  await stopSpawned(clouds.splice(0));
});

describe.skipIf(!NGINX)('two cloud replicas behind nginx grpc_pass, one killed mid-run', () => {
  for (const mode of ['unary', 'stream'] as const) {
    it(`${mode}: every request answered, none failed, the survivor answers after the kill`, async () => {
      const [a, b] = await Promise.all([startCloud(), startCloud()]);
      clouds.push(a.cloud, b.cloud);
      nginx = await startNginx([a.port, b.port]);
      const edge = await EdgeClient.open({
        model: join(ROOT, MODEL),
        cloud: `127.0.0.1:${nginx.port}`,
        split: 'block4',
        codec: 'int8',
        compress: 'none',
        deadlineMs: 10_000,
        fallback: 'local',
        mode,
        retries: 2,
      });
      const sources: string[] = [];
      const reasons = new Set<string>();
      const failures: string[] = [];
      let beforeKill = { victim: 0, survivor: 0 };
      let victim = 0;
      let killedAt = Number.POSITIVE_INFINITY;
      /** Cloud answers that arrived after the kill: the survivor's. */
      let cloudAfterKill = 0;
      /** Local answers given while the circuit was open (not sent). */
      let whileOpen = 0;
      /** Requests sent (the next one's index). */
      let next = 0;
      try {
        // two requests in flight at a time, so the kill finds requests on the way
        // the kill holds new requests back until it is done (reading the metrics can take a while on a loaded
        // machine, and the other worker must not run the rest of the samples meanwhile)
        let killing: Promise<void> | undefined;
        const kill = async () => {
          // kill the replica that has answered most: in stream mode the one holding the stream
          const counts = await Promise.all([answered(a.metricsPort), answered(b.metricsPort)]);
          victim = counts[0] >= counts[1] ? 0 : 1;
          beforeKill = { victim: counts[victim], survivor: counts[1 - victim] };
          [a, b][victim].cloud.child.kill('SIGKILL');
          killedAt = performance.now();
        };
        // after the kill, on until the survivor has answered SAMPLES / 3 (bounded: 15 s, 20,000 requests): a circuit
        // that opened on the kill's failures (in-flight streams reset, nginx's 502 while it finds the dead upstream)
        // answers locally for its open time, and local answers run faster than that time
        const more = () => next < SAMPLES || (cloudAfterKill < SAMPLES / 3 && performance.now() - killedAt < 15_000 && next < 20_000);
        const worker = async () => {
          while (more()) {
            if (killing) await killing;
            const i = next++;
            if (i === KILL_AFTER) await (killing = kill());
            try {
              const answer = await edge.infer(sample(i), { requestId: String(i) });
              sources.push(answer.source);
              if (answer.source === 'cloud' && performance.now() > killedAt) cloudAfterKill++;
              if (answer.fallbackReason) reasons.add(answer.fallbackReason);
              if (answer.fallbackReason?.includes('circuit open')) whileOpen++;
            } catch (err) {
              failures.push(String(err));
            }
          }
        };
        await Promise.all([worker(), worker()]);
      } finally {
        await edge.close();
      }
      const survivor = await answered([a, b][1 - victim].metricsPort);
      const cloud = sources.filter((s) => s === 'cloud').length;
      console.log(
        `nginx failover (${mode}): ${sources.length} answered (${cloud} by the cloud), ${failures.length} failed; before the kill ` +
          `the killed replica had answered ${beforeKill.victim}, the other ${beforeKill.survivor}; after it the other answered ${survivor - beforeKill.survivor}; answered locally because: ${[...reasons].join(' | ') || '-'}`,
      );
      expect(failures).toEqual([]);
      expect(sources).toHaveLength(Math.max(SAMPLES, next));
      // unary calls are spread over both replicas; a stream stays on one (the one killed)
      expect(beforeKill.victim).toBeGreaterThan(0);
      if (mode === 'unary') expect(beforeKill.survivor).toBeGreaterThan(0);
      // the cloud answers after the kill came from the survivor (2 answers may have been on their way then),
      // and at most the 2 requests in flight at the kill were answered by the edge itself
      expect(cloudAfterKill).toBeGreaterThanOrEqual(SAMPLES / 3);
      expect(survivor - beforeKill.survivor).toBeGreaterThanOrEqual(cloudAfterKill - 2);
      // every other answer was the cloud's: at most the 2 in flight at the kill and the kill's failures that opened
      // the circuit (3) answered locally, besides those the open circuit kept from being sent
      expect(sources.length - cloud - whileOpen).toBeLessThanOrEqual(2 + DEFAULT_BREAKER.failures);
      if (mode === 'unary') expect(cloud).toBeGreaterThanOrEqual(SAMPLES - 2);
    }, 180_000);
  }
});
