/** Timing helpers shared by the transport bench's measurements. */

/** Runs `once` `count` times one after another, after `warmup` uncounted runs; returns each run's ms. */
export async function timeCalls(count: number, once: () => Promise<unknown>, warmup = 20): Promise<number[]> {
  const ms: number[] = [];
  for (let i = -warmup; i < count; i++) {
    const t0 = performance.now();
    await once();
    if (i >= 0) ms.push(performance.now() - t0);
  }
  return ms;
}
