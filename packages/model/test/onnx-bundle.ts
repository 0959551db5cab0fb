import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dimsOf, elemTypeName, encodeModel, findCuts, realInputs, toNumber, type CrossingTensor, type ModelProto } from '@mtl-split/onnx';
import { manifestSchema, tensorBytes, type DType, type Manifest, type TaskSpec, type TensorInfo } from '../src/infer.js';

/**
 * Test-only: a bundle folder (model.onnx + manifest.json) for an ONNX graph, with a split point at every
 * cut `findCuts` finds (several tensors where several cross). What `npm run import` does, without its
 * checks, flags and FLOPs: enough for the engines.
 */
export function writeOnnxBundle(
  dir: string,
  model: ModelProto,
  tasks: TaskSpec[],
  o: { layout?: 'NCHW' | 'NHWC'; batch?: 'any' | 'one'; maxTensors?: number } = {},
): Manifest {
  const layout = o.layout ?? 'NCHW';
  const inputs: TensorInfo[] = realInputs(model).map((v) => ({
    name: v.name ?? '',
    shape: (dimsOf(v) ?? []).slice(1) as number[],
    dtype: elemTypeName(v.type?.tensorType?.elemType ?? 1) as DType,
    ...((dimsOf(v) ?? []).length === 4 ? { layout } : {}),
  }));
  const outputs = tasks.flatMap((t) => t.outputs?.map((x) => x.name) ?? [t.name]);
  const info = (t: CrossingTensor): TensorInfo => ({ name: t.name, shape: t.shape, dtype: elemTypeName(t.elemType) as DType });
  const splitPoints = findCuts(model, outputs, { maxTensors: o.maxTensors }).map((c) => {
    const tensors = c.tensors.map(info);
    const single = tensors.length === 1 ? tensors[0].name : undefined;
    return {
      name: c.name,
      shape: tensors[0].shape,
      bytesPerSample: tensors.reduce((a, t) => a + tensorBytes(t), 0),
      edgeParams: 0,
      cloudParams: 0,
      edgeFlops: 0,
      cloudFlops: 0,
      ...(single !== undefined && single !== c.name ? { tensor: single } : {}),
      ...(tensors.length > 1 ? { tensors } : {}),
    };
  });
  const bytes = encodeModel(model);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const opset = toNumber(model.opsetImport?.[0]?.version ?? 17);
  const manifest = manifestSchema.parse({
    format: 'mtl-split-bundle',
    formatVersion: 1,
    id: dir.split('/').at(-1),
    createdAt: new Date(0).toISOString(),
    backend: 'test',
    tasks,
    inputShape: inputs[0].shape,
    params: 0,
    splitPoints,
    source: { file: 'test.onnx', sha256: sha, bytes: bytes.byteLength, producer: 'test', opset },
    onnx: { file: 'model.onnx', bytes: bytes.byteLength, sha256: sha, opset, input: inputs[0].name, layout },
    inputs,
    ...(o.batch ? { batch: o.batch } : {}),
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), bytes);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}
