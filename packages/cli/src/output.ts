import { accessSync, constants, existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './program.js';

/** Where a program writes a file it was asked for (`--json FILE`, or `-` for standard output). */
export interface OutputTarget {
  /** The value as given (`-` for standard output). */
  readonly given: string;
  /** True for `-`: the file goes to stdout, so human-readable output should go to stderr. */
  readonly toStdout: boolean;
  /** Writes `data` (to stdout, or atomically to the file: a temporary sibling, then rename). */
  write(data: string | Uint8Array): void;
}

/**
 * Checks an output path before any work starts and returns where to write it. `-` is standard output;
 * a file's folder must exist and be writable, and the file must not be a folder. `extension` (e.g.
 * '.png') is required when given. Throws a one-line UsageError naming `flag`.
 */
export function outputTarget(flag: string, value: string, options: { allowStdout?: boolean; extension?: string } = {}): OutputTarget {
  const allowStdout = options.allowStdout ?? true;
  if (value === '-' && allowStdout) {
    return { given: value, toStdout: true, write: (data) => void process.stdout.write(data) };
  }
  if (!value.trim()) throw new UsageError(`invalid ${flag}: empty path${allowStdout ? " (give a file, or '-' for standard output)" : ''}`);
  if (options.extension && !value.toLowerCase().endsWith(options.extension)) {
    throw new UsageError(`invalid ${flag} '${value}': the file name must end in ${options.extension}`);
  }
  const target = resolve(value);
  const dir = dirname(target);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`invalid ${flag} '${value}': folder ${dir} does not exist`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`invalid ${flag} '${value}': folder ${dir} is not writable`);
  }
  if (existsSync(target) && statSync(target).isDirectory()) throw new UsageError(`invalid ${flag} '${value}': is a folder`);
  return { given: value, toStdout: false, write: (data) => writeAtomic(target, data) };
}

/** Writes `data` to `file` atomically: a temporary sibling, then rename. The folder must exist. */
export function writeAtomic(file: string, data: string | Uint8Array): void {
  const target = resolve(file);
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
