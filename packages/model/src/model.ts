import { tf } from '@mtl-split/runtime';
import { getBackbone } from './backbones/registry.js';
import type { Block } from './blocks.js';
import { withBottleneck, type BottleneckConfig } from './bottleneck.js';
import { ModelError } from './errors.js';
import { getHeadKind } from './heads/registry.js';
import { getDenseHeadKind } from './heads/dense-registry.js';
import { denseOutShape, denseTaskOutputs, isDenseTask } from './heads/dense-task.js';
import type { DenseHead } from './heads/dense-types.js';
import type { Head, HeadConfig } from './heads/types.js';
import { Scope, prod, type ApplyContext, type ConvFolding, type Param } from './layers.js';
import { computeSplitPoints } from './table.js';
import type { MtlModel, SplitPointInfo, TaskSpec } from './types.js';

/** Everything needed to build a model (recorded in a bundle's manifest). */
export interface ModelConfig {
  backbone: string;
  /** Family-specific options; missing ones take defaults. */
  backboneConfig?: Record<string, unknown>;
  inputShape: [number, number, number];
  tasks: TaskSpec[];
  head?: Partial<HeadConfig>;
  bottleneck?: BottleneckConfig | null;
  /** Seed of the weight initialisation (default 1). */
  seed?: number;
}

/** The config with every default filled in. */
export interface ResolvedModelConfig {
  backbone: string;
  backboneConfig: Record<string, unknown>;
  inputShape: [number, number, number];
  tasks: TaskSpec[];
  head: HeadConfig;
  bottleneck: BottleneckConfig | null;
  seed: number;
}

export const DEFAULT_HEAD: HeadConfig = { kind: 'classification', hidden: 64, dropout: 0.1 };

/** A multi-task model on tf.variables: backbone blocks, then one head per task. */
export class MtlNet implements MtlModel {
  readonly backbone: string;
  readonly tasks: TaskSpec[];
  readonly inputShape: [number, number, number];
  readonly config: ResolvedModelConfig;
  readonly blocks: Block[];
  readonly heads: Head[];
  /** The heads of segmentation and dense tasks (decoders on the backbone's flow), in task order. */
  readonly decoders: DenseHead[];
  /** Every parameter with its stable key, in creation order. */
  readonly params: Param[];
  readonly splitPoints: SplitPointInfo[];

  constructor(config: ModelConfig) {
    const shape = config.inputShape;
    if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ModelError(`invalid input shape ${JSON.stringify(shape)}: expected [H, W, C] positive integers`);
    }
    if (!config.tasks.length) throw new ModelError('a model needs at least one task');
    const names = new Set(config.tasks.map((t) => t.name));
    if (names.size !== config.tasks.length) throw new ModelError('task names must be unique');
    for (const t of config.tasks) {
      if (!isDenseTask(t) || t.kind === 'segmentation') {
        if (t.classes.length < 2) throw new ModelError(`task '${t.name}' needs at least 2 classes`);
      }
    }
    const family = getBackbone(config.backbone);
    const head: HeadConfig = { ...DEFAULT_HEAD, ...(config.head ?? {}) };
    const headKind = getHeadKind(head.kind);
    const seed = config.seed ?? 1;
    this.params = [];
    const scope = new Scope('backbone', seed, this.params);
    try {
      const built = family.build(shape, config.backboneConfig ?? {}, scope);
      let blocks = built.blocks;
      if (config.bottleneck) blocks = withBottleneck(blocks, config.bottleneck, new Scope('backbone', seed, this.params));
      this.blocks = blocks;
      const last = blocks[blocks.length - 1];
      // a flow backbone's classification heads read the global average pool of its deepest tensor
      const featureDim = last.flow ? (last.outShape[2] as number) : prod(last.outShape);
      const headScope = new Scope('heads', seed, this.params);
      this.heads = config.tasks
        .filter((t) => !isDenseTask(t))
        .map((t) => headKind.build(headScope, t.name, featureDim, t.classes.length, head));
      this.decoders = config.tasks.filter(isDenseTask).map((t) => {
        if (!built.decoder || !last.flow) {
          throw new ModelError(`task '${t.name}' is ${t.kind}: it needs an encoder-decoder backbone (unet), not ${family.name}`);
        }
        const kind = getDenseHeadKind(built.decoder.kind);
        return kind.build(headScope, t, last.flow.outShapes, denseOutShape(t, shape), built.decoder);
      });
      this.config = {
        backbone: family.name,
        backboneConfig: built.config,
        inputShape: [shape[0], shape[1], shape[2]],
        tasks: config.tasks.map((t) => ({
          name: t.name,
          classes: [...t.classes],
          ...(t.kind ? { kind: t.kind } : {}),
          ...(isDenseTask(t)
            ? { outputs: denseTaskOutputs(t, shape) }
            : t.outputs
              ? { outputs: t.outputs.map((o) => ({ ...o, shape: [...o.shape] })) }
              : {}),
        })),
        head,
        bottleneck: config.bottleneck ? { ...config.bottleneck } : null,
        seed,
      };
    } catch (err) {
      for (const p of this.params) p.v.dispose();
      throw err;
    }
    this.backbone = family.name;
    this.tasks = this.config.tasks;
    this.inputShape = this.config.inputShape;
    this.splitPoints = computeSplitPoints(this.inputShape, this.blocks, [...this.heads, ...this.decoders]);
  }

  /** Names of the split points in network order. */
  get pointNames(): string[] {
    return this.splitPoints.map((p) => p.name);
  }

  /** Index of a split point: 0 is `input`, i is after block i. Throws ModelError naming valid points. */
  pointIndex(point: string): number {
    const i = this.splitPoints.findIndex((p) => p.name === point);
    if (i < 0) throw new ModelError(`unknown split point '${point}': valid points are ${this.pointNames.join(', ')}`);
    return i;
  }

  /** Runs blocks [from, to) (split-point indices); not tidied. */
  runBlocks(x: tf.Tensor, from: number, to: number, ctx: ApplyContext): tf.Tensor {
    let y = x;
    for (let i = from; i < to; i++) y = this.blocks[i].apply(y, ctx);
    return y;
  }

  /** Whether several tensors flow between the blocks (an encoder-decoder): run it with runFlow / outputs / splitFlow. */
  get isFlow(): boolean {
    return this.blocks.some((b) => b.flow);
  }

  /**
   * Runs blocks [from, to) (split-point indices) on the tensors crossing point `from` (one for a
   * single-tensor point); returns those crossing point `to`. Not tidied.
   */
  runFlow(xs: tf.Tensor[], from: number, to: number, ctx: ApplyContext): tf.Tensor[] {
    let ys = xs;
    for (let i = from; i < to; i++) {
      const b = this.blocks[i];
      if (b.flow) ys = b.flow.apply(ys, ctx);
      else if (ys.length === 1) ys = [b.apply(ys[0], ctx)];
      else throw new ModelError(`block '${b.name}' takes one tensor, got ${ys.length}`);
    }
    return ys;
  }

  /** The backbone's final tensors -> every task's output (logits [n, classes]; dense maps [n, H, W, C]); not tidied. */
  runAllHeads(flow: tf.Tensor[], ctx: ApplyContext): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = this.heads.length ? this.runHeads(this.flowFeatures(flow), ctx) : {};
    for (const d of this.decoders) out[d.task] = d.apply(flow, ctx);
    return out;
  }

  /** Every task's output for input x (runFlow + runAllHeads); not tidied. */
  outputs(x: tf.Tensor4D, ctx: ApplyContext): Record<string, tf.Tensor> {
    return this.runAllHeads(this.runFlow([x], 0, this.blocks.length, ctx), ctx);
  }

  /** The classification heads' features of a flow: one tensor as it is, several: the GAP of the last (deepest). */
  private flowFeatures(flow: tf.Tensor[]): tf.Tensor {
    const last = flow[flow.length - 1] as tf.Tensor;
    return flow.length === 1 && !this.isFlow ? last : tf.mean(last, [1, 2]);
  }

  /** Features -> outputs per task; not tidied. */
  runHeads(features: tf.Tensor, ctx: ApplyContext): Record<string, tf.Tensor2D> {
    const f = features.rank === 2 ? (features as tf.Tensor2D) : (tf.reshape(features, [features.shape[0], -1]) as tf.Tensor2D);
    const out: Record<string, tf.Tensor2D> = {};
    for (const h of this.heads) out[h.task] = h.apply(f, ctx);
    return out;
  }

  /** Full forward pass; not tidied (use inside tf.tidy or an optimizer). */
  forward(x: tf.Tensor4D, ctx: ApplyContext): Record<string, tf.Tensor2D> {
    // a flow model: the classification tasks' logits only (`outputs` gives every task's)
    if (this.isFlow) return this.runHeads(this.flowFeatures(this.runFlow([x], 0, this.blocks.length, ctx)), ctx);
    return this.runHeads(this.runBlocks(x, 0, this.blocks.length, ctx), ctx);
  }

  /** Inference-mode logits per task; `folded` (a `FoldedConvs` of this model) runs batch norm folded into the convs. */
  predict(x: tf.Tensor4D, opts: { folded?: ConvFolding } = {}): Record<string, tf.Tensor2D> {
    this.checkInput(x);
    return tf.tidy(() => this.forward(x, { training: false, folded: opts.folded }));
  }

  checkInput(x: tf.Tensor): void {
    const [h, w, c] = this.inputShape;
    if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== c) {
      throw new ModelError(`input shape [${x.shape.join(',')}] does not match the model's [n,${h},${w},${c}]`);
    }
  }

  /** Trainable variables of the network (backbone and heads; not batch-norm moving statistics). */
  variables(): tf.Variable[] {
    return this.params.filter((p) => p.trainable).map((p) => p.v);
  }

  /** Number of parameters, including batch-norm moving statistics. */
  get paramCount(): number {
    return this.params.reduce((a, p) => a + p.v.size, 0);
  }

  dispose(): void {
    for (const p of this.params) p.v.dispose();
  }
}

/** Builds a freshly initialised model (deterministic from `config.seed`). */
export function buildModel(config: ModelConfig): MtlNet {
  return new MtlNet(config);
}
