import { Command, CommanderError } from 'commander';
import { errorMessage } from './errors.js';
import { VERSION } from './version.mjs';

/** The project's version (the root package.json), printed by every program's `--version` (read in version.mjs, which bin/launch.mjs shares). */
export { VERSION };

/**
 * Exit codes of every program: 0 success, 1 a failure at run time, 2 a usage error (unknown or malformed
 * flag, bad value, unusable output path), 130 interrupted (Ctrl-C / SIGINT). The edge's two, after its
 * table and JSON are written: 3 the run ended but some request failed; 4 every request was answered, but
 * none by the cloud (down throughout, or a wrong `--cloud`).
 */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2, requestsFailed: 3, cloudNeverAnswered: 4, interrupted: 130 });

/** A usage error: printed as one line `<program>: <message>`, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A commander program as every program of the project builds it: `--version` printing
 * `<name> <VERSION>`, help on stdout, `.exitOverride()`, and commander's own error output silenced (the
 * parse functions of this package print usage errors as one line `<name>: ...`).
 */
export function createProgram(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .version(`${name} ${VERSION}`, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => undefined });
}

/** Commander's message as one line without its `error: ` prefix (a "Did you mean" hint is kept). */
export function usageMessage(err: CommanderError): string {
  return err.message
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

/** Whether `err` is commander's request to exit 0 (after `--help` or `--version`). */
export function isHelpOrVersion(err: unknown): boolean {
  return (
    err instanceof CommanderError && (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
  );
}

/**
 * Parses `argv` (node, script, args) with a program built by `createProgram` (or with `.exitOverride()`):
 * `--help`/`--version` exit 0; a usage error prints `<name>: <message>` on stderr and exits 2.
 */
export function parseOrExit(program: Command, argv: readonly string[] = process.argv): void {
  try {
    program.parse([...argv]);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (isHelpOrVersion(err)) process.exit(EXIT.ok);
    process.stderr.write(`${program.name()}: ${usageMessage(err)}\n`);
    process.exit(EXIT.usage);
  }
}

/** A function that prints `<tool>: <first line of message>` on stderr and exits with `code` (default 1). */
export function failWith(tool: string): (message: string, code?: number) => never {
  return (message, code = EXIT.failure) => {
    process.stderr.write(`${tool}: ${message.split('\n')[0]}\n`);
    process.exit(code);
  };
}

/** The exit code for an error that ended a program: 2 for a UsageError (or a commander usage error), else 1. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof CommanderError) return isHelpOrVersion(err) ? EXIT.ok : EXIT.usage;
  if (err instanceof CliExit) return err.exitCode;
  return EXIT.failure;
}

/**
 * A request to exit at once with `exitCode` (0 after `--help` or `--version`); `runMain` prints its
 * message, when it has one, as `<tool>: <message>` (e.g. the edge's exit 3 after its table).
 */
export class CliExit extends Error {
  override name = 'CliExit';
  constructor(
    readonly exitCode: number,
    message = '',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Runs a program's `main` and exits: 0 when it resolves, else `<tool>: <first line>` on stderr and the
 * code of `exitCodeOf` (a `CliExit` exits with its code, silently unless it has a message). The one way
 * every program ends.
 */
export function runMain(tool: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(EXIT.ok),
    (err: unknown) => {
      if (err instanceof CliExit && !err.message) process.exit(err.exitCode);
      const message = err instanceof CommanderError ? usageMessage(err) : errorMessage(err);
      failWith(tool)(message, exitCodeOf(err));
    },
  );
}

/**
 * Exit 130 on SIGINT (Ctrl-C) and 143 on SIGTERM after `cleanup` (e.g. stop a progress bar), printing
 * `<tool>: interrupted` on stderr. For programs that have nothing to drain; returns the uninstaller.
 */
export function exitOnInterrupt(tool: string, cleanup: () => void = () => undefined): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    cleanup();
    process.stderr.write(`\n${tool}: interrupted (${signal})\n`);
    process.exit(signal === 'SIGINT' ? EXIT.interrupted : 143);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * The line every program prints once it knows how it computes, in the form the cloud logs it:
 * `<tool>: engine tfjs (wasm)`.
 */
export function engineLine(tool: string, engine: string, backend: string): string {
  return `${tool}: engine ${engine} (${backend})`;
}
