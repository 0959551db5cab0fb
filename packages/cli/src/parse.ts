import { type Command, CommanderError } from 'commander';
import { z } from 'zod';
import { CliExit, isHelpOrVersion, UsageError, usageMessage } from './program.js';

/**
 * Parses user arguments (`argv` without node and the script) with a program built with `createProgram`
 * (or `.exitOverride()` and silenced errors), then checks the options with `schema`. `--help`/`--version`
 * throw `CliExit(0)`; a commander usage error or the first schema issue throws a UsageError whose message
 * is one line without commander's `error: `.
 */
export function parseOptions<S extends z.ZodType>(program: Command, argv: readonly string[], schema: S): z.infer<S> {
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (isHelpOrVersion(err)) throw new CliExit(0);
    if (err instanceof CommanderError) throw new UsageError(usageMessage(err));
    throw err;
  }
  const parsed = schema.safeParse(program.opts());
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'invalid options');
  return parsed.data;
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

/** A zod schema of a flag whose value is one of `choices`, with a message naming the flag and the choices. */
export function choiceOption<const T extends readonly [string, ...string[]]>(flag: string, choices: T) {
  return z.enum(choices, { error: (issue) => `invalid ${flag} '${String(issue.input)}': valid are ${choices.join(', ')}` });
}
