/** One classification task of a dataset: its name and the names of its classes (index = label). */
export interface TaskInfo {
  name: string;
  classes: string[];
}

export type SplitName = 'train' | 'test';

/** A batch of n samples: images NHWC in [0,1] and one label array per task. */
export interface Batch {
  x: Float32Array;
  labels: Record<string, Int32Array>;
  n: number;
}

export interface BatchOptions {
  shuffle?: boolean;
  seed?: number;
  limit?: number;
  /**
   * The training epoch (default 0): noise that the reference code draws again on every read
   * (`reference-snpn`) is drawn again for each epoch; images, labels and other noise do not change.
   */
  epoch?: number;
}

export interface Dataset {
  name: string;
  tasks: TaskInfo[];
  inputShape: [number, number, number];
  size(split: SplitName): number;
  batches(split: SplitName, batchSize: number, opts?: BatchOptions): Iterable<Batch>;
}
