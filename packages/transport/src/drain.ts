import type * as grpc from '@grpc/grpc-js';

/** Requests in flight (unary calls plus stream items), and who waits for none. */
export class InflightCounter {
  private count = 0;
  private idleWaiters: (() => void)[] = [];

  get value(): number {
    return this.count;
  }

  begin(): void {
    this.count++;
  }

  finish(): void {
    this.count--;
    if (this.count === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Resolves when nothing is in flight, or at `deadline` (performance.now() time), whichever comes first. */
  async idleBy(deadline: number): Promise<void> {
    const idle = new Promise<void>((resolve) => {
      if (this.count === 0) resolve();
      else this.idleWaiters.push(resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([idle, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - performance.now()))))]);
    clearTimeout(timer);
  }
}

/** Close a grpc-js server gracefully; whatever has not closed by `deadline` (a frozen client) is cut. */
export function closeBy(server: grpc.Server, deadline: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(
      () => {
        server.forceShutdown();
        resolve();
      },
      Math.max(0, deadline - performance.now()),
    );
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
