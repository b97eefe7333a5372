export { commandSpecs, helpText, parseCommand, type Command, type Mention, type ParseResult } from './commands';
