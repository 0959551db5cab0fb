import { type Command, CommanderError } from 'commander';

/**
 * Parses `argv` with a program built with `.exitOverride()`: `--help`/`--version` exit 0, a usage error
 * (commander has already printed its one line) exits 2.
 */
export function parseOrExit(program: Command, argv: readonly string[] = process.argv): void {
  try {
    program.parse([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    throw err;
  }
}

/** Prints `<tool>: <first line of message>` on stderr and exits with `code`. */
export function failWith(tool: string): (message: string, code?: number) => never {
  return (message, code = 1) => {
    process.stderr.write(`${tool}: ${message.split('\n')[0]}\n`);
    process.exit(code);
  };
}
