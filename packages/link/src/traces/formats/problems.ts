/** A trace file that cannot be read: one line naming the file and every problem found (the first few). */
export class TraceError extends Error {
  override name = 'TraceError';
}

/** Collects a file's problems line by line, so one read reports them all. */
export class Problems {
  private readonly list: string[] = [];

  constructor(private readonly source: string) {}

  add(line: number, message: string): void {
    this.list.push(`line ${line}: ${message}`);
  }

  addGeneral(message: string): void {
    this.list.push(message);
  }

  /** Throws a TraceError listing up to 5 problems (and how many more) if any were found. */
  throwIfAny(): void {
    if (!this.list.length) return;
    const shown = this.list.slice(0, 5).join('; ');
    const more = this.list.length > 5 ? ` (and ${this.list.length - 5} more)` : '';
    throw new TraceError(`trace ${this.source}: ${shown}${more}`);
  }
}

/** The non-blank, non-comment lines of a text, with their 1-based numbers and their fields (comma, tab or spaces). */
export function dataLines(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const s = raw.replace(/#.*/, '').trim();
    if (s) out.push({ line: i + 1, fields: s.split(/\s*,\s*|\s+/) });
  }
  return out;
}

/** A finite number from a field, or undefined. */
export function numberField(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
