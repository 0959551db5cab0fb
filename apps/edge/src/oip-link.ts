/**
 * The edge over the Open Inference Protocol (`--protocol oip`): each replica's SplitClient is wrapped so
 * that what the edge does with a cloud (Describe at start and on every connection, Infer per request,
 * health probes of the breaker) goes as OIP calls to the split point's model, named and shaped as the
 * Triton export and our cloud serve them. So the fallback, the breaker, replicas and `auto` work as
 * they do over SplitInference, against our cloud or any OIP server (Triton, KServe).
 *
 * - Describe: ModelMetadata of every split point's model in the codec's form, checked against what this
 *   edge's own bundle says the model must be (the same catalogue our cloud serves from); a server without
 *   the models, or with other inputs or outputs, is described as serving another bundle (refused).
 * - Infer: the codec frame's tensor as the form's inputs (int8 with the frame's own scale and zero point, so
 *   the cloud dequantises exactly what a SplitInference cloud would decode); the logits come back and
 *   the probabilities are their softmax. An answer of another model than the one asked is refused.
 * - health: ServerReady. There is no stream call in the protocol (`--mode stream` is refused).
 */
import { status } from '@grpc/grpc-js';
import { decode, peekHeader, type FrameHeader } from '@mtl-split/codec';
import type { SplitNetwork } from '@mtl-split/model/infer';
import {
  bytesAs,
  responseBytes,
  catalogOf,
  encodeInputs,
  type InferAnswer,
  type InferOptions,
  modelMetadata,
  type ModelDescription,
  OIP_FORMS,
  OipClient,
  type OipForm,
  oipModelName,
  readOutputs,
  type RemoteDescription,
  type ServedModel,
  type TensorMetadata,
  type TensorInfo,
  type RequestFrames,
  type SplitClient,
  TransportError,
  UNKNOWN_LIMITS,
} from '@mtl-split/transport';
import { askedTasks, oipTaskAnswers } from './oip-answers.js';
import type { PROTOCOLS } from './spec.js';

export type Protocol = (typeof PROTOCOLS)[number];

/** Why these settings cannot run over OIP (a usage error naming the flag), or undefined. */
export function oipProblem(o: { protocol: Protocol; codec: string; compress: string; mode: string }): string | undefined {
  if (o.protocol !== 'oip') return undefined;
  if (!(OIP_FORMS as readonly string[]).includes(o.codec))
    return `invalid --codec '${o.codec}' with --protocol oip: a served model takes the forms ${OIP_FORMS.join(', ')}`;
  if (o.compress !== 'none') return `invalid --compress '${o.compress}' with --protocol oip: OIP tensors have no lossless stage, use none`;
  if (o.mode !== 'unary') return `invalid --mode '${o.mode}' with --protocol oip: the protocol has no stream call, use unary`;
  return undefined;
}

/** The network's inputs as tensor descriptions. */
function tensorInfos(net: SplitNetwork): TensorInfo[] {
  return net.inputs.map((i) => ({ name: i.name, shape: [...i.shape], dtype: i.dtype ?? 'float32', layout: i.layout }));
}

/** The edge's own bundle as a model description: what an OIP server must serve for it. */
function ownDescription(net: SplitNetwork): ModelDescription {
  return {
    bundleId: net.id,
    tasks: net.tasks.map((t) => ({ ...t, classes: [...t.classes] })),
    splitPoints: net.splitPoints.map((p) => ({ name: p.name, shape: [...p.shape], tensors: net.pointTensors(p.name) })),
    inputs: tensorInfos(net),
  };
}

type Metadata = Awaited<ReturnType<OipClient['modelMetadata']>>;
const tensorKey = (t: TensorMetadata) => `${t.name}:${t.datatype}[${t.shape.map(Number).join(',')}]`;
const sameTensors = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ');

/** Why a served model's metadata differs from what this edge's bundle makes of it, or undefined. */
function metadataProblem(want: ServedModel, got: Metadata): string | undefined {
  const expected = modelMetadata(want);
  const [wantIn, wantOut] = [expected.inputs.map(tensorKey), expected.outputs.map(tensorKey)];
  const [gotIn, gotOut] = [got.inputs.map(tensorKey), got.outputs.map(tensorKey)];
  if (!sameTensors(gotIn, wantIn)) return `model '${want.name}' takes ${gotIn.join(', ')}, this edge sends ${wantIn.join(', ')}`;
  if (!sameTensors(gotOut, wantOut))
    return `model '${want.name}' answers ${gotOut.join(', ')}, this edge's bundle has ${wantOut.join(', ')}`;
  return undefined;
}

/**
 * Describe over OIP: the split points whose model in `form` the server serves exactly as this bundle says.
 * When none does, the description names what was found instead of a bundle id, so the edge refuses the
 * server with that reason (as for a cloud serving another bundle).
 */
async function describeOverOip(oip: OipClient, net: SplitNetwork, form: OipForm, deadlineMs?: number): Promise<RemoteDescription> {
  const catalog = catalogOf(ownDescription(net));
  const found: string[] = [];
  const problems: string[] = [];
  for (const p of net.splitPoints) {
    const want = catalog.get(oipModelName(net.id, p.name, form))!;
    try {
      const problem = metadataProblem(want, await oip.modelMetadata(want.name, deadlineMs));
      if (problem) problems.push(problem);
      else found.push(p.name);
    } catch (err) {
      if (!(err instanceof TransportError) || err.code !== status.NOT_FOUND) throw err;
    }
  }
  const served = net.splitPoints.filter((p) => found.includes(p.name));
  const bundleId =
    problems.length > 0
      ? `${net.id}, but ${problems[0]}`
      : served.length > 0
        ? net.id
        : `another model set (no model '${oipModelName(net.id, net.splitPoints[0].name, form)}')`;
  return {
    bundleId,
    tasks: [...net.tasks],
    splitPoints: served.map((p) => ({
      name: p.name,
      shape: [...p.shape],
      bytesPerSample: p.shape.reduce((a, b) => a * b, 1) * 4,
      tensors: net.pointTensors(p.name),
    })),
    codecs: [form],
    limits: { ...UNKNOWN_LIMITS },
    compressions: ['none'],
    inputs: tensorInfos(net),
  };
}

/** The quantised bytes of `data` under the frame's own parameters (one group per tensor or per channel block), per sample. */
function requantise(data: Float32Array, h: FrameHeader, n: number, groups: number): Buffer[] | undefined {
  const quant = h.quant;
  if (!quant || quant.scales.length !== groups) return undefined;
  const channels = h.shape[h.shape.length - 1];
  const per = quant.axis === 'tensor' ? channels : quant.channelsPerGroup;
  const q = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const g = quant.axis === 'tensor' ? 0 : Math.floor((i % channels) / per);
    const v = Math.round(data[i] / quant.scales[g] + quant.zeroPoints[g]);
    q[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  const scales = new Float32Array(n * groups);
  const zeros = new Uint8Array(n * groups);
  for (let i = 0; i < n; i++) {
    scales.set(quant.scales, i * groups);
    zeros.set(quant.zeroPoints, i * groups);
  }
  return [Buffer.from(q.buffer), Buffer.from(scales.buffer), Buffer.from(zeros.buffer)];
}

/** What one request sends: the model, the batch size and the raw contents of each of its inputs. */
interface OipRequest {
  model: ServedModel;
  n: number;
  raw: Buffer[];
}

/** A frame's samples: its first dimension when it has one more than the per-sample shape. */
const samplesIn = (shape: readonly number[], perSample: readonly number[]) => (shape.length === perSample.length + 1 ? shape[0] : 1);

/**
 * The frames as a model's inputs: one float32 tensor goes to the model of its codec's form (int8 with the
 * frame's own scale and zero point); several tensors, or one of another element type, to the point's one
 * model, each decoded and sent in its input's data type.
 */
function oipRequest(net: SplitNetwork, point: string, frames: readonly Uint8Array[]): OipRequest {
  const catalog = catalogOf(ownDescription(net));
  const h = peekHeader(frames[0]);
  const byForm = catalog.get(oipModelName(net.id, point, h.codec as OipForm));
  if (frames.length === 1 && byForm?.tensors.length === 1 && byForm.tensors[0].dtype === 'float32') {
    const t = decode(frames[0]);
    const n = samplesIn(t.shape, byForm.shape);
    const quantised = byForm.form === 'int8' || byForm.form === 'int8-channel';
    const raw = (quantised ? requantise(t.data, h, n, byForm.inputs[1].dims[0]) : undefined) ?? encodeInputs(byForm, t.data, n);
    return { model: byForm, n, raw };
  }
  const model = catalog.get(oipModelName(net.id, point, 'f32'));
  if (!model || model.inputs.length !== frames.length) {
    throw new TransportError(
      status.INVALID_ARGUMENT,
      `split point '${point}': no OIP model takes ${frames.length} tensor(s) in codec '${h.codec}'`,
    );
  }
  const tensors = frames.map((f) => decode(f));
  const raw = tensors.map((t, k) => bytesAs(model.inputs[k].datatype, t.data));
  return { model, n: samplesIn(tensors[0].shape, model.inputs[0].dims), raw };
}

/** Infer over OIP: the frames to the point's model; the asked tasks' answers made from the raw outputs (oip-answers.ts). */
async function inferOverOip(
  oip: OipClient,
  net: SplitNetwork,
  point: string,
  frames: RequestFrames,
  o: InferOptions,
): Promise<InferAnswer> {
  const { model, n, raw } = oipRequest(net, point, frames instanceof Uint8Array ? [frames] : frames);
  const asked = askedTasks(net.tasks, o);
  const t0 = performance.now();
  const res = await oip.modelInfer(
    {
      modelName: model.name,
      id: o.requestId ?? '',
      inputs: model.inputs.map((i) => ({ name: i.name, datatype: i.datatype, shape: [n, ...i.dims] })),
      outputs: asked.flatMap((t) => t.outputs.map((out) => ({ name: out.name }))),
      rawInputContents: raw,
    },
    o.deadlineMs,
  );
  const rttMs = performance.now() - t0;
  const param = (k: string) => Number(res.parameters[k]?.int64Param ?? 0);
  return {
    requestId: res.id,
    samples: n,
    tasks: oipTaskAnswers(net.tasks, readOutputs(res), n, o, model.name),
    decodeMs: 0,
    queueMs: param('queue_us') / 1000,
    computeMs: param('compute_us') / 1000,
    batchSize: param('batch_size'),
    rttMs,
    answerBytes: responseBytes(res),
    // an answer is bound to the model asked: the model's name carries the bundle and the point
    bundleId: res.modelName === model.name ? net.id : `model '${res.modelName}'`,
    splitPoint: point,
  };
}

/**
 * `inner` speaking OIP: the same channel (TLS, keepalive, connectivity watch, close) and object, with
 * describe, infer, stream and health going to `inference.GRPCInferenceService`. A delegate of `inner`
 * (its prototype), so every part of the edge that holds a SplitClient holds this one unchanged.
 */
export function oipSplitClient(inner: SplitClient, net: SplitNetwork, form: OipForm, token?: string): SplitClient {
  const oip = OipClient.over(inner, { token });
  const client: SplitClient = Object.create(inner);
  client.describe = (o = {}) => describeOverOip(oip, net, form, o.deadlineMs);
  client.infer = (point, frame, o = {}) => inferOverOip(oip, net, point, frame, o);
  client.stream = () => {
    throw new TransportError(status.UNIMPLEMENTED, 'the Open Inference Protocol has no stream call: use --mode unary');
  };
  client.health = (timeoutMs) => oip.serverReady(timeoutMs).then((ready) => (ready ? 'SERVING' : 'NOT_SERVING'));
  return client;
}

/** The replicas' clients for the run's protocol: as they are for 'native', speaking OIP for 'oip' (throws a one-line Error for settings OIP cannot carry). */
export function protocolClients(
  o: { protocol?: Protocol; codec: string; compress?: string; mode?: string; security?: { token?: string } },
  net: SplitNetwork,
  clients: SplitClient[],
): SplitClient[] {
  const protocol = o.protocol ?? 'native';
  if (protocol === 'native') return clients;
  const problem = oipProblem({ protocol, codec: o.codec, compress: o.compress ?? 'none', mode: o.mode ?? 'unary' });
  if (problem) {
    for (const c of clients) c.close();
    throw new Error(problem);
  }
  return clients.map((c) => oipSplitClient(c, net, o.codec as OipForm, o.security?.token));
}
