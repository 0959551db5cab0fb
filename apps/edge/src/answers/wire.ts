/**
 * How one request goes on the wire: the crossing tensors' frames (one codec frame per tensor, in the
 * point's `tensors` order; per-channel codecs quantise along each tensor's channel axis, from its layout)
 * and what to answer (a task subset, answer codecs per task).
 */
import { encode, type EncodeOptions } from '@mtl-split/codec';
import type { TensorData, TensorInfo } from '@mtl-split/model/infer';
import type { AnswerCodecOption } from '@mtl-split/transport';
import type { AnswerForm, AnswerRequest } from './types.js';

/** The codec settings of a run. */
export type FrameOptions = Pick<EncodeOptions, 'codec' | 'compress' | 'quality' | 'level'>;

/** Channel axis of a batch [n, ...shape] of a tensor of this layout: 1 for NCHW, the last for NHWC or none. */
export function channelAxis(t: Pick<TensorInfo, 'layout'> | undefined, rank: number): number {
  return t?.layout === 'NCHW' && rank >= 3 ? 1 : rank - 1;
}

/** One frame per crossing tensor (`infos`: the point's tensors, same order). */
export function encodeFrames(tensors: readonly TensorData[], infos: readonly TensorInfo[], o: FrameOptions): Uint8Array[] {
  return tensors.map((t, i) => encode({ data: t.data, shape: t.shape }, { ...o, channelAxis: channelAxis(infos[i], t.shape.length) }));
}

/** The answer codecs of a request as the client's list (forms checked against the tasks' kinds before: answers/check.ts). */
export function answerCodecList(a: AnswerRequest | undefined): AnswerCodecOption[] {
  return Object.entries(a?.codecs ?? {}).map(([task, c]) => ({
    task,
    form: c.form as AnswerForm,
    ...(c.compress ? { compress: c.compress } : {}),
  }));
}
