/**
 * Flags of benches and the helper servers they start: node:util's parseArgs (strict), with `--help` and
 * usage errors as every program of the project gives them (`<name>: <message>` on stderr, exit 2, no stack).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { errorMessage } from './errors.js';
import { EXIT } from './program.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];

function usageError(name: string, usage: string, message: string): never {
  process.stderr.write(`${name}: ${message}\n${usage}\n`);
  process.exit(EXIT.usage);
}

/** The flags of `options` in process.argv; `--help` prints `usage` and exits 0; a bad flag exits 2. */
export function benchArgs<const O extends Options>(name: string, usage: string, options: O): Values<O> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(EXIT.ok);
  }
  try {
    return parseArgs({ args: argv, options, strict: true }).values as Values<O>;
  } catch (err) {
    return usageError(name, usage, errorMessage(err).split('\n')[0]);
  }
}

/** `text` (a flag's value) as an integer in min..max; else a usage error naming `flag`. */
export function benchInt(name: string, usage: string, flag: string, text: string | undefined, min: number, max: number): number {
  const v = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isInteger(v) || v < min || v > max) {
    usageError(name, usage, `${flag} must be an integer in ${min}..${max}, got '${text ?? ''}'`);
  }
  return v;
}
