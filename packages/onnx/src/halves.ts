import { OnnxError } from './errors.js';
import { extractGraph } from './graph.js';
import type { ModelProto, ValueInfoProto } from './proto.js';
import { errorMessage } from '@mtl-split/cli/errors';

export interface Halves {
  /** Every input -> the point's tensors; null at the graph's inputs (the edge sends the inputs themselves). */
  edge: ModelProto | null;
  /** The point's tensors -> every output. */
  cloud: ModelProto;
}

export interface HalvesSpec {
  /** The graph input's name (a one-input graph); `inputs` for several. */
  input?: string;
  /** Every graph input, in graph order (default: [input]). */
  inputs?: readonly string[];
  /** The task outputs, in order. */
  outputs: string[];
  /** Value info for tensors the graph has none for. */
  extraInfo?: ReadonlyMap<string, ValueInfoProto>;
}

/** The graph inputs a spec names; OnnxError when it names none. */
function inputsOf(spec: HalvesSpec): string[] {
  const inputs = spec.inputs ? [...spec.inputs] : spec.input !== undefined ? [spec.input] : [];
  if (!inputs.length) throw new OnnxError('cutHalves: no graph input given (input or inputs)');
  return inputs;
}

/**
 * Cuts a graph in two at `point`, one tensor or the several tensors of a cut (`findCuts`, wire order):
 * the edge half computes them from every input (a crossing tensor may be an input itself), the cloud half
 * computes every output from them; each carries only the initializers it reads. At the graph's inputs
 * (`point` is exactly the inputs) there is no edge half and the cloud half takes every input. Throws
 * OnnxError when the cloud half would still need the input side (some path from an input to an output
 * avoids the point's tensors).
 */
export function cutHalves(m: ModelProto, point: string | readonly string[], spec: HalvesSpec): Halves {
  const name = m.graph?.name || 'model';
  const inputs = inputsOf(spec);
  const tensors = typeof point === 'string' ? [point] : [...point];
  const label = tensors.join('+');
  const common = { extraInfo: spec.extraInfo };
  if (tensors.length === inputs.length && inputs.every((i) => tensors.includes(i))) {
    return { edge: null, cloud: extractGraph(m, { inputs, outputs: spec.outputs, graphName: `${name}.cloud.${label}`, ...common }) };
  }
  const edge = extractGraph(m, { inputs, outputs: tensors, graphName: `${name}.edge.${label}`, ...common });
  let cloud: ModelProto;
  try {
    cloud = extractGraph(m, { inputs: tensors, outputs: spec.outputs, graphName: `${name}.cloud.${label}`, ...common });
  } catch (err) {
    const what = tensors.length === 1 ? `'${tensors[0]}' is not a split point` : `${tensors.map((t) => `'${t}'`).join(', ')} are not a cut`;
    throw new OnnxError(`${what}: ${errorMessage(err)}`, { cause: err });
  }
  return { edge, cloud };
}
