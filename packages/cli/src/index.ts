export {
  CliExit,
  createProgram,
  engineLine,
  EXIT,
  exitCodeOf,
  exitOnInterrupt,
  failWith,
  isHelpOrVersion,
  parseOrExit,
  runMain,
  UsageError,
  usageMessage,
  VERSION,
} from './program.js';
export { choiceOption, intOption, numberOption, parseOptions } from './parse.js';
export { benchArgs, benchInt } from './bench-args.js';
export { outputTarget, writeAtomic, type OutputTarget } from './output.js';
export { groupFailures, NO_STATUS, type FailureGroup, type FailureRecord } from './failures.js';
export { errorMessage, statusText, type StatusFailure } from './errors.js';
export { createLogger, logFormatter, type Logger, type LoggerOptions } from './logger.js';
export { LAUNCH, programCommand } from './launch.js';
