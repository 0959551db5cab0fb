/**
 * The second floor of answer-path.bench.ts: the least a cloud must do for an answer, on the same grpc-js
 * InferStream path as the cloud and the echo server. It decodes the request (protobuf) and its frame
 * (@mtl-split/codec), runs the point's cloud half in ONNX Runtime (1 thread) on whatever queued meanwhile (at
 * most --max-batch samples a call), takes the softmax of each classification output, and answers with the
 * protobuf InferResponse (probabilities and predicted class per task). Nothing else: no checks beyond the
 * codec's, no limits, metrics, fairness, deadlines, timings or logs. `--engine-thread` runs the half on a
 * worker thread (engine-floor-worker.mjs) instead, so this thread serves gRPC while it computes. Prints
 * `{"port":N}`; SIGTERM ends it.
 *   node --import tsx apps/cloud/bench/engine-floor-server.ts --model models/multimnist-resnet --point block4
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as grpc from '@grpc/grpc-js';
import ort from 'onnxruntime-node';
import { benchArgs, benchInt } from '@mtl-split/cli';
import { decode } from '@mtl-split/codec';
import { argmaxRows, openNetwork, softmaxRows } from '@mtl-split/model/infer';
import { cutHalves, decodeModel, encodeModel } from '@mtl-split/onnx';
import { loadDefinition } from '@mtl-split/transport';
import { type RawStream, serveInferStream } from './floor-server.js';

const NAME = 'engine floor';
const USAGE =
  'usage: node --import tsx apps/cloud/bench/engine-floor-server.ts [--model models/multimnist-resnet] [--point block4] [--max-batch 64] [--engine-thread]';
const values = benchArgs(NAME, USAGE, {
  model: { type: 'string', default: 'models/multimnist-resnet' },
  point: { type: 'string', default: 'block4' },
  'max-batch': { type: 'string', default: '64' },
  'engine-thread': { type: 'boolean', default: false },
});
const MAX_BATCH = benchInt(NAME, USAGE, '--max-batch', values['max-batch'], 1, 4096);
const POINT = values.point;
const net = await openNetwork(values.model, { runtime: 'onnx' });
const [cut] = net.pointTensors(POINT);
const tasks = net.tasks.map((t) => ({ name: t.name, output: t.outputs[0].name, classes: t.classes.length }));
const graph = decodeModel(readFileSync(join(values.model, 'model.onnx')), values.model);
const half = cutHalves(graph, [cut.name], { inputs: [net.input.name], outputs: tasks.map((t) => t.output) }).cloud;
await net.close();
const perSample = cut.shape.reduce((a, b) => a * b, 1);

/** The cloud half on a batch of `n` samples: every output by name. */
type RunHalf = (x: Float32Array, n: number) => Promise<Record<string, Float32Array>>;

/** The half in this thread: ONNX Runtime's run holds the event loop while it computes. */
async function inThisThread(model: Uint8Array): Promise<RunHalf> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  return async (x, n) => {
    const out = await session.run({ [cut.name]: new ort.Tensor('float32', x, [n, ...cut.shape]) });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
  };
}

/** The half on a worker thread (engine-floor-worker.mjs): this thread serves gRPC meanwhile; one batch at a time. */
async function onWorkerThread(model: Uint8Array): Promise<RunHalf> {
  const worker = new Worker(new URL('./engine-floor-worker.mjs', import.meta.url), {
    workerData: { model, input: cut.name, shape: cut.shape },
  });
  await new Promise((ok) => worker.once('message', ok));
  return (x, n) =>
    new Promise((ok) => {
      worker.once('message', ok);
      worker.postMessage({ x, n }, [x.buffer as ArrayBuffer]);
    });
}

const runHalf = await (values['engine-thread'] ? onWorkerThread : inThisThread)(encodeModel(half));

const stream = (loadDefinition()['mtlsplit.v1.SplitInference'] as Record<string, grpc.MethodDefinition<object, object>>).InferStream;

interface Queued {
  call: RawStream;
  requestId: string;
  data: Float32Array;
}
let queue: Queued[] = [];
let running = false;

/** One ONNX Runtime call on what queued (at most MAX_BATCH), then the next if more came meanwhile. */
async function pump(): Promise<void> {
  running = true;
  const batch = queue.slice(0, MAX_BATCH);
  queue = queue.slice(batch.length);
  const x = new Float32Array(batch.length * perSample);
  batch.forEach((q, i) => x.set(q.data, i * perSample));
  const out = await runHalf(x, batch.length);
  // the model package's softmax and argmax, as the cloud's
  const perTask = tasks.map((t) => {
    const logits = { data: out[t.output], shape: [batch.length, t.classes] };
    return { probabilities: softmaxRows(logits), predicted: argmaxRows(logits) };
  });
  batch.forEach((q, i) => {
    const answer = {
      requestId: q.requestId,
      samples: 1,
      tasks: tasks.map((t, k) => ({
        task: t.name,
        // an array, as protobuf's repeated fields take
        probabilities: Array.from(perTask[k].probabilities.subarray(i * t.classes, (i + 1) * t.classes)),
        predicted: [perTask[k].predicted[i]],
        kind: 'classification',
      })),
      batchSize: batch.length,
      bundleId: net.id,
      splitPoint: POINT,
    };
    q.call.write(stream.responseSerialize(answer));
  });
  running = false;
  if (queue.length) setImmediate(pump);
}

serveInferStream((call, b) => {
  const req = stream.requestDeserialize(b) as { requestId: string; frame: Uint8Array };
  queue.push({ call, requestId: req.requestId, data: decode(req.frame).data });
  if (!running && queue.length === 1) setImmediate(pump);
});
