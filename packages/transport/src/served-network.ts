/**
 * What a server serves, with every default filled once (at setExecutor): each task's kind and outputs,
 * each point's crossing tensors, the network's inputs, and one executor interface (TensorExecutor) over
 * both executor kinds.
 */
import {
  DEFAULT_INPUT,
  type ExecutorOutputs,
  type ModelDescription,
  type SplitExecutor,
  type SplitPointDescription,
  type TaskDescription,
  type TaskInfo,
  type TensorExecutor,
  type TensorInfo,
} from './types.js';

/** A task with its kind and outputs filled: absent means classification, one `[classes]` output named as the task. */
export function taskInfo(t: TaskDescription): TaskInfo {
  return {
    name: t.name,
    classes: [...t.classes],
    kind: t.kind ?? 'classification',
    outputs: t.outputs?.map(copyTensor) ?? [{ name: t.name, shape: [t.classes.length], dtype: 'float32' }],
  };
}

export function copyTensor(t: TensorInfo): TensorInfo {
  return { ...t, shape: [...t.shape] };
}

/** The network's inputs: as described, or one float32 input shaped as the 'input' point. */
export function networkInputs(d: ModelDescription): TensorInfo[] {
  if (d.inputs?.length) return d.inputs.map(copyTensor);
  const at = d.splitPoints.find((p) => p.name === 'input');
  const layout = (d.input ?? DEFAULT_INPUT).layout;
  return [
    {
      name: 'input',
      shape: [...(at?.shape ?? [])],
      dtype: 'float32',
      ...(layout === 'NCHW' || layout === 'NHWC' ? { layout } : {}),
    },
  ];
}

/** The tensors crossing a point: its `tensors`, or every input at 'input', or one float32 tensor named as the point. */
export function pointTensors(p: SplitPointDescription, inputs: readonly TensorInfo[]): TensorInfo[] {
  if (p.tensors?.length) return p.tensors.map(copyTensor);
  if (p.name === 'input') return inputs.map(copyTensor);
  return [{ name: p.name, shape: [...p.shape], dtype: 'float32' }];
}

/** The served model with every default filled. */
export interface ServedNetwork {
  tasks: TaskInfo[];
  inputs: TensorInfo[];
  /** Per split point, the tensors crossing it (request frames in this order). */
  cuts: Map<string, TensorInfo[]>;
  /** Whether the executor gives raw outputs (false: a ProbabilityExecutor, whose probabilities stand in for them). */
  rawOutputs: boolean;
}

export function servedNetwork(d: ModelDescription, executor: SplitExecutor): ServedNetwork {
  const inputs = networkInputs(d);
  return {
    tasks: d.tasks.map(taskInfo),
    inputs,
    cuts: new Map(d.splitPoints.map((p) => [p.name, pointTensors(p, inputs)])),
    rawOutputs: 'runAll' in executor,
  };
}

/** Either executor as a TensorExecutor: a ProbabilityExecutor takes the one tensor and gives probabilities as outputs too. */
export function tensorExecutor(e: SplitExecutor): TensorExecutor {
  if ('runAll' in e) return e;
  return {
    describe: () => e.describe(),
    runAll: async (point, inputs): Promise<ExecutorOutputs> => {
      if (inputs.length !== 1) throw new Error(`this executor takes 1 tensor at split point '${point}', got ${inputs.length}`);
      const probabilities = await e.run(point, inputs[0]);
      return { outputs: probabilities, probabilities };
    },
  };
}
