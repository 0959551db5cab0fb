import type { ModelDescription, SplitExecutor } from '@mtl-split/transport';

/** An executor without a model: answers uniform probabilities at once, so only transport and server code cost time. */
export function nullExecutor(description: ModelDescription): SplitExecutor {
  return {
    describe: () => description,
    run: async (_point, input) =>
      Object.fromEntries(
        description.tasks.map((t) => [t.name, new Float32Array(input.shape[0] * t.classes.length).fill(1 / t.classes.length)]),
      ),
  };
}
