import type { ServerApi } from '../api';
import type { BotAnswer, InboundMessage, Reply } from '../channel';

/** What every command handler gets: the message, the server as the sender, and the tenant's zone for display. */
export interface HandlerContext {
  readonly message: Pick<InboundMessage, 'platform' | 'chatType' | 'chatId' | 'senderId' | 'mentions'>;
  readonly api: ServerApi;
  readonly timeZone: string;
  /**
   * The server's record of the message or click this command came from (the request id it audited `bot.command`
   * under). Sent with requests that act on the chat (约面 remembering its group, 订阅) so the server can check the chat
   * against what it actually received.
   */
  readonly requestId?: string;
}

export const say = (content: string): BotAnswer => ({ replies: [{ kind: 'markdown', content }] });
export const answer = (...replies: Reply[]): BotAnswer => ({ replies });

/**
 * Long work: `first` goes out at once, `work` (already started) completes the answer later. A failure of the work is
 * turned into its error reply by the bot (see handleMessage), never thrown at the platform layer.
 */
export const later = (first: Reply, work: Promise<BotAnswer>): BotAnswer => ({ replies: [first], followUp: work.then((a) => a.replies) });
