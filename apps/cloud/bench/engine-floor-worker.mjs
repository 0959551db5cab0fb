/**
 * The engine of engine-floor-server.ts on a worker thread (`--engine-thread`): one ONNX Runtime session of the
 * cloud half; each message a batch (its buffer transferred), answered with every output (buffers transferred).
 * Plain JavaScript: a worker thread's entry module is loaded without the parent's tsx hooks on Node 20.
 */
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';

const { model, input, shape } = workerData;
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
parentPort.on('message', async ({ x, n }) => {
  const out = await session.run({ [input]: new ort.Tensor('float32', x, [n, ...shape]) });
  const outputs = Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data]));
  parentPort.postMessage(
    outputs,
    Object.values(outputs).map((a) => a.buffer),
  );
});
parentPort.postMessage('ready');
