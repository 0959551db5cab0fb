// Embedding the edge in a program: open a bundle with a cloud and a policy, then answer samples.
//   npx tsx apps/edge/examples/classify.ts models/multimnist-resnet 127.0.0.1:50051 block4
import { randomInputs } from '@mtl-split/data';
import { EdgeClient } from '@mtl-split/edge';

const [model = 'models/multimnist-resnet', cloud = '127.0.0.1:50051', split = 'block4'] = process.argv.slice(2);
const edge = await EdgeClient.open({
  model,
  cloud,
  split, // a split point of the bundle, or 'edge-only'
  codec: 'int8',
  compress: 'none',
  deadlineMs: 500,
  fallback: 'local', // when the cloud cannot answer in time, the edge computes the rest itself
  mode: 'stream',
});
try {
  const [h, w, c] = edge.net.input.shape;
  for (const { name, x } of randomInputs(3, 1, { height: h, width: w, channels: c, layout: 'NHWC', mean: [0], std: [1] })) {
    const a = await edge.infer(x);
    const classes = a.tasks.map((t) => `${t.task} ${t.kind === 'classification' ? t.className : t.kind}`).join(', ');
    console.log(`${name}: ${classes} (answered by ${a.source}, ${a.timings.total.toFixed(2)} ms)`);
  }
} finally {
  await edge.close();
}
