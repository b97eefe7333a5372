import type { ServerApi } from '../api';
import type { BotAnswer, InboundMessage, Reply } from '../channel';

/** What every command handler gets: the message, the server as the sender, and the tenant's zone for display. */
export interface HandlerContext {
  readonly message: Pick<InboundMessage, 'platform' | 'chatType' | 'chatId' | 'senderId' | 'mentions'>;
  readonly api: ServerApi;
  readonly timeZone: string;
}

export const say = (content: string): BotAnswer => ({ replies: [{ kind: 'markdown', content }] });
export const answer = (...replies: Reply[]): BotAnswer => ({ replies });
