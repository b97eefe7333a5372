import { createServerApi, handleCardClick, handleMessage, type FetchLike } from '@hirebridge/bot';
import type { BotRuntime } from '../../features/bot/inbound';

/**
 * The HR bot (bot/) run beside the server: it reaches the server over HTTP at `baseUrl` with the shared contracts,
 * as the person who wrote the command (the short-lived session the inbound join issued).
 */
export function httpBotRuntime(deps: { baseUrl: () => string; fetch?: FetchLike }): BotRuntime {
  return {
    async message(inbound, session) {
      const api = createServerApi({ baseUrl: deps.baseUrl(), token: session.token, ...(deps.fetch && { fetch: deps.fetch }) });
      const answer = await handleMessage(inbound, api, { timeZone: session.timeZone });
      return answer.replies;
    },
    async click(click, session) {
      const api = createServerApi({ baseUrl: deps.baseUrl(), token: session.token, ...(deps.fetch && { fetch: deps.fetch }) });
      const answer = await handleCardClick(click, api, { timeZone: session.timeZone });
      return answer.replies;
    },
  };
}
