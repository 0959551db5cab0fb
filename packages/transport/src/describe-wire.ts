/**
 * Describe, both ways: the server's DescribeResponse from a ModelDescription (defaults filled), and a
 * client's RemoteDescription from the wire (older servers' empty fields read as their documented defaults).
 */
import { status as Status } from '@grpc/grpc-js';
import { COMPRESSIONS, compressionAvailable } from '@mtl-split/codec';
import { TransportError } from './errors.js';
import { codecNames } from './frame.js';
import type { DescribeResponse, DescribeResponse__Output } from './gen/mtlsplit/v1/DescribeResponse.js';
import type { TensorInfo as WireTensor, TensorInfo__Output as WireTensorOut } from './gen/mtlsplit/v1/TensorInfo.js';
import { networkInputs, pointTensors, taskInfo } from './served-network.js';
import { kindOf } from './task-answers.js';
import { DEFAULT_INPUT, type ModelDescription, type RemoteDescription, type ServerLimits, type TensorInfo } from './types.js';

/** The element types a tensor may have (TensorInfo.dtype); checked exhaustive against the model's DType. */
const DTYPES: Readonly<Record<TensorInfo['dtype'], true>> = { float32: true, float16: true, uint8: true, int64: true };

function toWire(t: TensorInfo): WireTensor {
  return { name: t.name, shape: [...t.shape], dtype: t.dtype, layout: t.layout ?? '' };
}

/** float32 bytes of one sample of every tensor. */
function bytesPerSample(tensors: readonly TensorInfo[]): number {
  return tensors.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1) * 4, 0);
}

/** Server side: what Describe answers for `d`. */
export function describeResponse(d: ModelDescription, limits: ServerLimits): DescribeResponse {
  const inputs = networkInputs(d);
  return {
    bundleId: d.bundleId,
    tasks: d.tasks.map(taskInfo).map((t) => ({
      name: t.name,
      classes: [...t.classes],
      kind: t.kind,
      outputs: t.outputs.map(toWire),
    })),
    splitPoints: d.splitPoints.map((p) => {
      const tensors = pointTensors(p, inputs);
      return { name: p.name, shape: [...p.shape], bytesPerSample: bytesPerSample(tensors), tensors: tensors.map(toWire) };
    }),
    codecs: d.codecs ?? codecNames(),
    limits: { ...limits },
    compressions: COMPRESSIONS.filter((c) => compressionAvailable(c)),
    input: { ...(d.input ?? DEFAULT_INPUT) },
    inputs: inputs.map(toWire),
  };
}

/** A tensor from the wire; an element type or layout this client does not know is an error naming it. */
function fromWire(t: WireTensorOut, where: string): TensorInfo {
  if (!Object.hasOwn(DTYPES, t.dtype)) {
    throw new TransportError(
      Status.FAILED_PRECONDITION,
      `${where}: tensor '${t.name}' has dtype '${t.dtype}', which this client does not know`,
    );
  }
  if (t.layout !== '' && t.layout !== 'NCHW' && t.layout !== 'NHWC') {
    throw new TransportError(Status.FAILED_PRECONDITION, `${where}: tensor '${t.name}' has layout '${t.layout}' (known: NCHW, NHWC)`);
  }
  return { name: t.name, shape: [...t.shape], dtype: t.dtype as TensorInfo['dtype'], ...(t.layout ? { layout: t.layout } : {}) };
}

/** The limits of a server that reports none (an older one, or a protocol without them): every one 0, unknown. */
export const UNKNOWN_LIMITS: Readonly<ServerLimits> = {
  maxMessageBytes: 0,
  maxBatch: 0,
  maxBatchMs: 0,
  maxWaitMs: 0,
  maxQueue: 0,
  maxStreamInflight: 0,
};

/** Client side: the Describe answer with every default filled. */
export function remoteDescription(res: DescribeResponse__Output): RemoteDescription {
  const limits = res.limits ?? UNKNOWN_LIMITS;
  const tasks = res.tasks.map((t) =>
    taskInfo({
      name: t.name,
      classes: [...t.classes],
      kind: kindOf(t.kind ?? '', t.name),
      ...(t.outputs?.length ? { outputs: t.outputs.map((o) => fromWire(o, `task '${t.name}'`)) } : {}),
    }),
  );
  const splitPoints = res.splitPoints.map((p) => ({
    name: p.name,
    shape: [...p.shape],
    tensors: (p.tensors ?? []).map((x) => fromWire(x, `split point '${p.name}'`)),
  }));
  const input = res.input?.dtype ? { ...res.input } : undefined;
  const described: ModelDescription = {
    bundleId: res.bundleId,
    tasks,
    splitPoints,
    ...(input ? { input } : {}),
    inputs: (res.inputs ?? []).map((x) => fromWire(x, 'inputs')),
  };
  const inputs = networkInputs(described);
  return {
    bundleId: res.bundleId,
    tasks,
    splitPoints: res.splitPoints.map((p, i) => ({
      name: p.name,
      shape: [...p.shape],
      bytesPerSample: p.bytesPerSample,
      tensors: pointTensors(splitPoints[i], inputs),
    })),
    codecs: [...res.codecs],
    limits: { ...limits },
    compressions: [...(res.compressions ?? [])],
    ...(input ? { input } : {}),
    inputs,
  };
}
