/**
 * Child of fold.bench.ts: times the tfjs engine's whole network on a bundle under one checkout of this
 * repository (`root`: this tree, or an old commit's `packages/` extracted elsewhere), one checkout per
 * process, and prints {"wallMs": median, "cpuMs": median process CPU time}:
 *   node --import tsx bench/fold-whole.ts <root> <bundle dir> <batch> <reps>
 */
import { median } from '@mtl-split/stats';
const [root = '.', model = 'models/multimnist-resnet', batchArg = '32', repsArg = '20'] = process.argv.slice(2);
const batch = Number(batchArg);
const reps = Number(repsArg);
type Api = typeof import('../src/index.js');
const { openNetwork } = (await import(`${root}/packages/model/src/index.ts`)) as Pick<Api, 'openNetwork'>;
const net = await openNetwork(model, { runtime: 'tfjs', backend: 'wasm' });
const per = net.input.shape;
let s = 12345;
const data = Float32Array.from(
  { length: batch * per.reduce((a, b) => a * b, 1) },
  () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32,
);
const whole = await net.wholeRunner();
const x = { data, shape: [batch, ...per] };
for (let i = 0; i < 5; i++) await whole.run(x);
const wall: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < reps; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await whole.run(x);
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
await net.close();
console.log(JSON.stringify({ wallMs: median(wall), cpuMs: median(cpu) }));
