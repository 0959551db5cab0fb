import { OnnxError } from './errors.js';
import { extractGraph } from './graph.js';
import type { ModelProto, ValueInfoProto } from './proto.js';
import { errorMessage } from '@mtl-split/cli/errors';

export interface Halves {
  /** Input -> the point's tensor; null at the graph's input (the edge sends the input itself). */
  edge: ModelProto | null;
  /** The point's tensor -> every output. */
  cloud: ModelProto;
}

export interface HalvesSpec {
  /** The graph input's name. */
  input: string;
  /** The task outputs, in order. */
  outputs: string[];
  /** Value info for tensors the graph has none for. */
  extraInfo?: ReadonlyMap<string, ValueInfoProto>;
}

/**
 * Cuts a graph in two at the tensor `point`: the edge half computes it from the input, the cloud half
 * computes every output from it; each carries only the initializers it reads. Throws OnnxError when
 * the cloud half would still need the input (some path from the input to an output avoids `point`).
 */
export function cutHalves(m: ModelProto, point: string, spec: HalvesSpec): Halves {
  const name = m.graph?.name || 'model';
  if (point === spec.input) {
    return {
      edge: null,
      cloud: extractGraph(m, {
        inputs: [spec.input],
        outputs: spec.outputs,
        graphName: `${name}.cloud.${point}`,
        extraInfo: spec.extraInfo,
      }),
    };
  }
  const edge = extractGraph(m, { inputs: [spec.input], outputs: [point], graphName: `${name}.edge.${point}`, extraInfo: spec.extraInfo });
  let cloud: ModelProto;
  try {
    cloud = extractGraph(m, { inputs: [point], outputs: spec.outputs, graphName: `${name}.cloud.${point}`, extraInfo: spec.extraInfo });
  } catch (err) {
    throw new OnnxError(`'${point}' is not a split point: ${errorMessage(err)}`, { cause: err });
  }
  return { edge, cloud };
}
