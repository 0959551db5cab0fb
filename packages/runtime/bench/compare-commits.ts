/**
 * Training-step time of the same nets under two checkouts of this repository (e.g. an old and a
 * new commit), one checkout per process: `npx tsx bench/compare-commits.ts <root> [nets] [reps]`
 * prints {net: median wall ms, netCpu: median process CPU ms} for LeNet (b256), the MobileNetV2
 * stack (b64) and, when <root>/packages/model exists, the multimnist-resnet architecture (b64).
 * Run it alternately on both roots (see README, "Old against new commit"); CPU time is the
 * steadier figure on a shared machine.
 */
import { median } from '@mtl-split/stats';
const root = process.argv[2] ?? '.';
const which = (process.argv[3] ?? 'lenet,mnv2,resnet').split(',');
const reps = Number(process.argv[4] ?? 5);
type Tf = typeof import('../src/index.js')['tf'];
const { initRuntime, tf } = (await import(`${root}/packages/runtime/src/index.ts`)) as {
  initRuntime: (o: { backend: string }) => Promise<unknown>;
  tf: Tf;
};
const { leNet, mobileNetV2Stack } = (await import(`${root}/packages/runtime/bench/nets.ts`)) as typeof import('./nets.js');
await initRuntime({ backend: 'wasm' });

interface ModelLike {
  forward(x: unknown, ctx: { training: boolean; nextSeed: () => number }): Record<string, unknown>;
  heads: { task: string; loss(out: unknown, y: unknown): unknown }[];
  variables(): unknown[];
}

function layersStep(build: () => ReturnType<typeof leNet>, shape: number[], n: number): () => Promise<void> {
  const model = build();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([n, ...shape], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([n], 0, 10, 'int32', 2) as Parameters<Tf['oneHot']>[0], 10);
  return async () => {
    await model.trainOnBatch(x, y);
  };
}

async function resnetStep(n: number): Promise<() => Promise<void>> {
  const { buildModel } = (await import(`${root}/packages/model/src/index.ts`)) as { buildModel: (c: object) => ModelLike };
  const tasks = ['left', 'right'].map((name) => ({ name, classes: [...'0123456789'] }));
  const m = buildModel({ backbone: 'resnet', inputShape: [28, 28, 1], tasks, bottleneck: { point: 'block4', channels: 8 } });
  const x = tf.randomUniform([n, 28, 28, 1]);
  const y = tf.zeros([n], 'int32');
  const opt = tf.train.adam(1e-3);
  return async () =>
    tf.tidy(() => {
      opt.minimize(
        () => {
          const out = m.forward(x, { training: true, nextSeed: () => 1 });
          return tf.addN(m.heads.map((h) => h.loss(out[h.task], y) as ReturnType<Tf['scalar']>)) as ReturnType<Tf['scalar']>;
        },
        false,
        m.variables() as Parameters<ReturnType<Tf['train']['adam']>['minimize']>[2],
      );
    });
}

const out: Record<string, number> = {};
for (const net of which) {
  const step =
    net === 'lenet'
      ? layersStep(leNet, [28, 28, 1], 256)
      : net === 'mnv2'
        ? layersStep(mobileNetV2Stack, [32, 32, 3], 64)
        : await resnetStep(64);
  await step();
  await step();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < (net === 'mnv2' ? Math.max(2, Math.ceil(reps / 2)) : reps); i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await step();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  out[net] = Math.round(median(wall));
  out[`${net}Cpu`] = Math.round(median(cpu));
}
console.log(JSON.stringify(out));
