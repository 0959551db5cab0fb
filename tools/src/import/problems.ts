/** A problem with the ONNX file or its agreement with the flags: one line, exit 1. */
export class ImportError extends Error {
  override name = 'ImportError';
}

/**
 * Problems found in one pass, reported together: `add` each as it is found, then `check` throws one
 * error listing every one (`file: 3 problems: (1) ...; (2) ...; (3) ...`), on one line.
 */
export class Problems {
  private readonly list: string[] = [];

  add(message: string): void {
    if (!this.list.includes(message)) this.list.push(message);
  }

  get count(): number {
    return this.list.length;
  }

  /** The problems as one line, or null when there are none. */
  text(): string | null {
    if (this.list.length === 0) return null;
    if (this.list.length === 1) return this.list[0];
    return `${this.list.length} problems: ${this.list.map((p, i) => `(${i + 1}) ${p}`).join('; ')}`;
  }

  /** Throws what `make` builds from `prefix` and the problems when there are any. */
  check(prefix: string, make: (message: string) => Error = (m) => new ImportError(m)): void {
    const t = this.text();
    if (t !== null) throw make(prefix ? `${prefix}: ${t}` : t);
  }
}
