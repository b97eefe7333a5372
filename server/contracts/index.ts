/** The zod contracts shared by the server, the mini-app and the bot: every HTTP payload's shape. */
export * from './common';
export * from './directory';
export * from './jobs';
export * from './candidates';
export * from './applications';
export * from './health';
export * from './platform';
export * from './privacy';
export * from './interviews';
export * from './bot';
export * from './copilot';
