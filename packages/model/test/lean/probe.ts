// Spawned by lean-entry.test.ts: imports the lean entry; with `<engine> <bundle>`, opens the bundle on that
// engine and runs one sample through both halves of block4.
import { openNetwork } from '@mtl-split/model/infer';

const [engine, bundle] = process.argv.slice(2);
if (engine !== undefined && bundle !== undefined) {
  const net = await openNetwork(bundle, { runtime: engine, ...(engine === 'tfjs' ? { backend: 'cpu' } : {}) });
  const x = { data: new Float32Array(28 * 28).fill(0.5), shape: [1, 28, 28, 1] };
  const logits = await (await net.cloudRunner('block4')).run(await (await net.edgeRunner('block4')).run(x));
  console.log(`RAN ${net.engine} ${Object.keys(logits).join(',')} ${logits.left.shape.join('x')}`);
  await net.close();
}
