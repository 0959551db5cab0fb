import { OrtSession } from '@mtl-split/onnx';
import { ModelError } from '../errors.js';
import { errorMessage } from '@mtl-split/cli/errors';

interface Entry {
  session: Promise<OrtSession>;
  busy: number;
}

/**
 * ONNX Runtime sessions by key, at most `max` of them: the least recently used idle session is released
 * when a new one would exceed it (a session never goes while a run uses it). A large imported graph has
 * dozens of split points, each half holding its own copy of the weights it needs.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly max: number,
    private readonly create: (key: string, bytes: () => Uint8Array) => Promise<OrtSession>,
  ) {}

  /** Makes (or reuses) the session, so a later `use` does not pay the load. */
  async ready(key: string, bytes: () => Uint8Array): Promise<void> {
    await this.use(key, bytes, async () => undefined);
  }

  async use<T>(key: string, bytes: () => Uint8Array, fn: (s: OrtSession) => Promise<T>): Promise<T> {
    let e = this.entries.get(key);
    if (e) {
      this.entries.delete(key); // most recently used last
    } else {
      const session = this.create(key, bytes);
      e = { session, busy: 0 };
      session.catch(() => this.entries.get(key)?.session === session && this.entries.delete(key));
    }
    this.entries.set(key, e);
    e.busy++;
    try {
      return await fn(await e.session);
    } finally {
      e.busy--;
      this.evict();
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.max) return;
      if (e.busy > 0) continue;
      this.entries.delete(key);
      void e.session.then(
        (s) => s.release(),
        () => undefined,
      );
    }
  }

  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(
      all.map((e) =>
        e.session.then(
          (s) => s.release(),
          () => undefined,
        ),
      ),
    );
  }
}

export function sessionMaker(dir: string, threads: number): (key: string, bytes: () => Uint8Array) => Promise<OrtSession> {
  return async (key, bytes) => {
    try {
      return await OrtSession.create(bytes(), { threads, label: `bundle '${dir}' ${key}`, nhwcInputs: true });
    } catch (err) {
      throw new ModelError(errorMessage(err), { cause: err });
    }
  };
}
