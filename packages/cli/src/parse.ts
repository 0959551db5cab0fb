import { type Command, CommanderError } from 'commander';
import { z } from 'zod';

/** A request to exit at once with `exitCode` (0 after `--help` or `--version`). */
export class CliExit extends Error {
  override name = 'CliExit';
  constructor(readonly exitCode: number) {
    super('');
  }
}

/**
 * Parses user arguments (`argv` without node and the script) with a program built with `.exitOverride()`,
 * then checks the options with `schema`. `--help`/`--version` throw `CliExit(0)`; a commander usage error
 * or the first schema issue throws an Error whose message is one line without commander's `error: `.
 * The program should not print errors itself (`configureOutput({ writeErr: () => undefined })`).
 */
export function parseOptions<S extends z.ZodType>(program: Command, argv: readonly string[], schema: S): z.infer<S> {
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)) {
      throw new CliExit(0);
    }
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(message.split('\n')[0]!.replace(/^error: /, ''));
  }
  const parsed = schema.safeParse(program.opts());
  if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'invalid options');
  return parsed.data;
}

/**
 * Parses `argv` (node, script, args) with a program built with `.exitOverride()` that prints its own
 * usage errors: `--help`/`--version` exit 0, a usage error exits 2.
 */
export function parseOrExit(program: Command, argv: readonly string[] = process.argv): void {
  try {
    program.parse([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    throw err;
  }
}

/** A function that prints `<tool>: <first line of message>` on stderr and exits with `code` (default 1). */
export function failWith(tool: string): (message: string, code?: number) => never {
  return (message, code = 1) => {
    process.stderr.write(`${tool}: ${message.split('\n')[0]}\n`);
    process.exit(code);
  };
}

/** A zod schema of an integer flag value in min..max (given as text), with messages naming `flag`. */
export function intOption(flag: string, min: number, max: number) {
  return z.coerce
    .number({ error: `${flag} must be a number` })
    .refine((v) => Number.isInteger(v) && v >= min && v <= max, { message: `${flag} must be an integer in ${min}..${max}` });
}

/** A zod schema of a number flag value in min..max (given as text), with messages naming `flag`. */
export function numberOption(flag: string, min: number, max: number) {
  return z.coerce
    .number({ error: `${flag} must be a number` })
    .refine((v) => Number.isFinite(v) && v >= min && v <= max, { message: `${flag} must be a number in ${min}..${max}` });
}
