/**
 * Test inputs for an exported Triton model, built from the inputs its config.pbtxt declares: random
 * activations of the split point, put in the declared wire form through our real codec (int8: one frame
 * per sample, as one request each; f16: one frame), and the float32 tensor the bundle's cloud half gets
 * from decoding the same frames.
 */
import ort from 'onnxruntime-node';
import { decode, encode, peekHeader } from '@mtl-split/codec';
import type { TensorData } from '@mtl-split/model';
import type { TensorForm } from '../src/export/wire-forms.js';
import { dataTypeName, type ParsedConfig } from './export-pbtxt.js';

export interface Feeds {
  /** ONNX Runtime feeds, named and typed as config.pbtxt declares. */
  ort: Record<string, ort.Tensor>;
  /** What the bundle's own cloud half receives: the decoded activation. */
  reference: TensorData;
  form: TensorForm;
}

function payloadOf(frame: Uint8Array): { bytes: Uint8Array; scales: Float32Array; zeros: Uint8Array } {
  const h = peekHeader(frame);
  const bytes = frame.slice(h.headerBytes, h.headerBytes + h.payloadBytes);
  return { bytes, scales: h.quant?.scales ?? new Float32Array(0), zeros: h.quant?.zeroPoints ?? new Uint8Array(0) };
}

/** int8 and int8-channel: one frame per sample (one request each), stacked as Triton's batcher would. */
function quantFeeds(form: 'int8' | 'int8-channel', names: string[], x: TensorData, per: number, groups: number): Feeds {
  const n = x.shape[0];
  const q = new Uint8Array(n * per);
  const scales = new Float32Array(n * groups);
  const zeros = new Uint8Array(n * groups);
  const decoded = new Float32Array(n * per);
  for (let i = 0; i < n; i++) {
    const frame = encode({ data: x.data.subarray(i * per, (i + 1) * per), shape: [1, ...x.shape.slice(1)] }, { codec: form });
    const p = payloadOf(frame);
    if (p.scales.length !== groups) throw new Error(`${form} frame has ${p.scales.length} groups, the model declares ${groups}`);
    q.set(p.bytes, i * per);
    scales.set(p.scales, i * groups);
    zeros.set(p.zeros, i * groups);
    decoded.set(decode(frame).data, i * per);
  }
  return {
    form,
    ort: {
      [names[0]]: new ort.Tensor('uint8', q, x.shape),
      [names[1]]: new ort.Tensor('float32', scales, [n, groups]),
      [names[2]]: new ort.Tensor('uint8', zeros, [n, groups]),
    },
    reference: { data: decoded, shape: [...x.shape] },
  };
}

function f16Feeds(name: string, x: TensorData): Feeds {
  const frame = encode(x, { codec: 'f16' });
  const { bytes } = payloadOf(frame);
  const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  return { form: 'f16', ort: { [name]: new ort.Tensor('float16', halves, x.shape) }, reference: decode(frame) };
}

/**
 * Feeds for `config` at batch `n`: activations uniform in [-hi/4, hi) of the first declared input's dims
 * (negative values too, so int8's zero points are not 0), in the form its declared types say (FP32; FP16;
 * UINT8 + FP32 scale + UINT8 zero point).
 */
export function feedsFor(config: ParsedConfig, n: number, hi: number, random: () => number): Feeds {
  const types = config.input.map((i) => dataTypeName(i.dataType));
  const names = config.input.map((i) => i.name);
  const dims = config.input[0].dims.map(Number);
  const per = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n * per);
  for (let i = 0; i < data.length; i++) data[i] = (random() * 1.25 - 0.25) * hi;
  const x: TensorData = { data, shape: [n, ...dims] };
  const key = types.join(',');
  if (key === 'TYPE_FP32') return { form: 'f32', ort: { [names[0]]: new ort.Tensor('float32', data, x.shape) }, reference: x };
  if (key === 'TYPE_FP16') return f16Feeds(names[0], x);
  if (key === 'TYPE_UINT8,TYPE_FP32,TYPE_UINT8') {
    const form = config.name.endsWith('_int8-channel') ? 'int8-channel' : 'int8';
    return quantFeeds(form, names, x, per, Number(config.input[1].dims[0]));
  }
  throw new Error(`${config.name}: no test feeds for inputs of types ${key}`);
}
