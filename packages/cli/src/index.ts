export { CliExit, failWith, intOption, parseOptions, parseOrExit } from './parse.js';
