import type { Block } from '../blocks.js';
import type { DecoderSpec } from '../heads/dense-types.js';
import type { Scope, Shape } from '../layers.js';

/** A backbone: an ordered list of blocks (the last is named `features`) and its resolved config. */
export interface Backbone {
  blocks: Block[];
  /** The config with every default filled in (recorded in bundles). */
  config: Record<string, unknown>;
  /** Encoder-decoder backbones: the decoder each dense task's head is (absent: no dense tasks). */
  decoder?: DecoderSpec;
}

export interface BackboneFamily {
  name: string;
  description: string;
  /** Validates `config` (throws ModelError) and builds the blocks under `scope`. */
  build(inputShape: Shape, config: unknown, scope: Scope): Backbone;
}
