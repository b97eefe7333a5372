import { createServerApi, handleCardClick, handleMessage, type FetchLike } from '@hirebridge/bot';
import type { BotRuntime, NeutralAnswer, NeutralInbound } from '../../features/bot/inbound';

/**
 * The HR bot (bot/) run beside the server: it reaches the server over HTTP at `baseUrl` with the shared contracts,
 * as the person who wrote the command (the short-lived session the inbound join issued). Long commands (同步, 导出)
 * answer at once and complete through `followUp`.
 */
export function httpBotRuntime(deps: { baseUrl: () => string; fetch?: FetchLike }): BotRuntime {
  const api = (token: string) => createServerApi({ baseUrl: deps.baseUrl(), token, ...(deps.fetch && { fetch: deps.fetch }) });
  const answer = (inbound: NeutralInbound, session: { token: string; timeZone: string; requestId?: string }): Promise<NeutralAnswer> =>
    handleMessage(inbound, api(session.token), { timeZone: session.timeZone, ...(session.requestId && { requestId: session.requestId }) });
  return {
    answer,
    /** The whole answer at once (a long command's follow-up awaited and appended). */
    async message(inbound, session) {
      const done = await answer(inbound, session);
      return [...done.replies, ...(done.followUp ? await done.followUp : [])];
    },
    async click(click, session) {
      const done = await handleCardClick(click, api(session.token), { timeZone: session.timeZone, ...(session.requestId && { requestId: session.requestId }) });
      return done.replies;
    },
  };
}
