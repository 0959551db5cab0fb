/**
 * One process's device times (device-steady.test.ts runs two): opens a bundle with an emulated device and
 * prints, as JSON, the wall time of calls of its whole network and of both halves of every split point.
 *   node --import tsx test/device-cost-probe.ts <bundle dir> <slowdown>
 */
import { openNetwork, type TensorData } from '../src/index.js';

const [dir, k] = process.argv.slice(2);
const net = await openNetwork(dir!, { slowdown: Number(k) });
const x: TensorData = { data: new Float32Array(net.input.shape.reduce((a, b) => a * b, 1)).fill(0.5), shape: [1, ...net.input.shape] };

/**
 * Wall time of the calls after the first (which measures the cost): the shortest of 5, as a call never ends
 * before its device time and a loaded machine's timers may wake a few ms late.
 */
async function device(run: () => Promise<unknown>): Promise<number> {
  await run();
  const ts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await run();
    ts.push(performance.now() - t0);
  }
  return Math.min(...ts);
}

const out: Record<string, number> = {};
const whole = await net.wholeRunner();
out.whole = await device(() => whole.run(x));
for (const p of net.splitPoints) {
  const edge = await net.edgeRunner(p.name);
  const cut = await edge.run(x);
  out[`edge ${p.name}`] = await device(() => edge.run(x));
  const cloud = await net.cloudRunner(p.name);
  out[`cloud ${p.name}`] = await device(() => cloud.run(cut));
}
await net.close();
process.stdout.write(`${JSON.stringify(out)}\n`);
