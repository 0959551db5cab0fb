export { CliExit, failWith, intOption, numberOption, parseOptions, parseOrExit } from './parse.js';
