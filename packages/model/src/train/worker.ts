/**
 * A training worker thread (started by GradientWorkers through worker-boot.mjs): holds a replica of the
 * model, and for each step computes the gradients of its shard of the batch with the weights the main
 * thread sends. It never updates weights itself: the main thread averages all shards' gradients and
 * runs the optimiser, so every replica sees exactly the same weights.
 */
import { parentPort } from 'node:worker_threads';
import { initRuntime, tf } from '@mtl-split/runtime';
import { MtlNet } from '../model.js';
import { makeRng } from '../rng.js';
import { shardGradients } from './loss.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { makeWeighting, type LossWeighting } from './weighting.js';
import { errorMessage } from '@mtl-split/cli/errors';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

let model: MtlNet | undefined;
let weighting: LossWeighting | undefined;
let varList: tf.Variable[] = [];

function send(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

function setWeights(values: Float32Array[]): void {
  if (values.length !== varList.length) throw new Error(`expected ${varList.length} weight arrays, got ${values.length}`);
  tf.tidy(() => varList.forEach((v, i) => v.assign(tf.tensor(values[i], v.shape))));
}

port.on('message', (msg: ToWorker) => {
  void (async () => {
    try {
      if (msg.type === 'init') {
        await initRuntime({ backend: msg.backend });
        model = new MtlNet(msg.config);
        weighting = makeWeighting(msg.weighting.kind, model.tasks.length, msg.weighting.weights);
        varList = [...model.variables(), ...weighting.variables];
        setWeights(msg.weights);
        send({ type: 'ready' });
      } else if (msg.type === 'step') {
        if (!model || !weighting) throw new Error('step before init');
        setWeights(msg.weights);
        const rng = makeRng(msg.shard.seed);
        const { grads, stats } = shardGradients(model, weighting, varList, msg.shard, () => rng.int(), []);
        const arrays = grads.map((g) => (g.dataSync() as Float32Array).slice());
        tf.dispose(grads);
        send({ type: 'grads', id: msg.id, grads: arrays, stats }, [
          ...arrays.map((a) => a.buffer as ArrayBuffer),
          stats.buffer as ArrayBuffer,
        ]);
      }
    } catch (err) {
      send({ type: 'error', message: errorMessage(err) });
    }
  })();
});
