export { commandSpecs, helpText, parseCommand, type Command, type Mention, type ParseResult } from './commands';
export { handleMessage, handleCardClick, type BotOptions } from './bot';
export { createServerApi, ApiError, type ServerApi, type FetchLike } from './api';
export { encodeKey, decodeKey, type CardAction } from './card-keys';
export type { InboundMessage, CardClick, Reply, CardButton, BotAnswer } from './channel';
