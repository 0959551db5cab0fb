import { ModelError } from '../errors.js';
import type { Shape } from '../layers.js';
import type { TaskSpec, TensorInfo } from '../types.js';

/** Whether a task predicts a map per pixel (its head is a decoder). */
export const isDenseTask = (t: TaskSpec): boolean => t.kind === 'segmentation' || t.kind === 'dense';

/**
 * The per-sample output shape [H, W, channels] (NHWC) of a dense task on an input of `inputShape`:
 * segmentation has one channel per class; a dense task declares its one output (`outputs[0]`,
 * shape [C, H, W] with layout NCHW (the default) or [H, W, C] with NHWC) at the input's resolution.
 */
export function denseOutShape(t: TaskSpec, inputShape: Shape): Shape {
  const [h, w] = inputShape as [number, number];
  const out = t.outputs?.[0];
  if (t.kind === 'segmentation' && !out) return [h, w, t.classes.length];
  if (!out || t.outputs?.length !== 1 || out.shape.length !== 3) {
    throw new ModelError(
      `task '${t.name}': a ${t.kind} task needs one output of shape [C, ${h}, ${w}] (layout NCHW) or [${h}, ${w}, C] (NHWC)`,
    );
  }
  const nhwc = out.layout === 'NHWC';
  const [oh, ow, c] = (nhwc ? out.shape : [out.shape[1], out.shape[2], out.shape[0]]) as [number, number, number];
  if (oh !== h || ow !== w) {
    throw new ModelError(
      `task '${t.name}': output '${out.name}' is ${oh}x${ow}, the input ${h}x${w}: dense outputs have the input's resolution`,
    );
  }
  if (t.kind === 'segmentation' && c !== t.classes.length) {
    throw new ModelError(`task '${t.name}': output '${out.name}' has ${c} channels for ${t.classes.length} classes`);
  }
  return [h, w, c];
}

/**
 * The graph output of a dense task as the export writes it: its declared output with the layout filled
 * in (NCHW unless declared NHWC), or for a segmentation task that declares none, logits
 * [classes, H, W] named after the task.
 */
export function denseTaskOutputs(t: TaskSpec, inputShape: Shape): TensorInfo[] {
  const [h, w, c] = denseOutShape(t, inputShape) as [number, number, number];
  const out = t.outputs?.[0];
  if (!out) return [{ name: t.name, shape: [c, h, w], dtype: 'float32', layout: 'NCHW' }];
  return [{ ...out, shape: [...out.shape], layout: out.layout ?? 'NCHW' }];
}
