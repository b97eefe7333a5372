import type { Logger } from '../../observability/logger';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../ports/outbound-sender';
import { resolveSecretRef, SecretUnavailableError } from '../platform/secret-ref';
import { groupMessageOf, robotBody } from './group-message';

/** A group's webhook robot (群机器人). Its key is a secret: only a reference to it is kept. */
export interface GroupRobot {
  readonly id: string;
  /** `env:NAME` or, for demo tenants, `demo:KEY`. */
  readonly keyRef: string;
  /** https://qyapi.weixin.qq.com, or the simulator. */
  readonly apiBaseUrl: string;
  readonly tenantIsDemo: boolean;
}

/** Busy (-1) and over the 20/min limit (45009): trying later can succeed. */
const retryableErrcodes = new Set([-1, 45009, 45033]);

/**
 * Sends outbox rows of channel `wecom_robot` (recipient = robot id) through `webhook/send?key=`. The outbox paces
 * the channel at 18 a minute per recipient (domain/pacing.ts), under WeCom's 20 a minute per robot, so a burst is
 * spread instead of refused; a 45009 that still happens (another system using the same key) is retried later.
 * https://developer.work.weixin.qq.com/document/path/91770
 */
export function wecomRobotSender(deps: {
  findRobot(tenantId: string, robotId: string): Promise<GroupRobot | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): OutboundSender {
  const doFetch = deps.fetch ?? fetch;
  return {
    async send(message: OutboundMessage) {
      const robot = await deps.findRobot(message.tenantId, message.recipient);
      if (!robot) throw new SendFailedError(`no group robot ${message.recipient}`, false, 'no_robot');
      let key: string;
      try {
        key = resolveSecretRef(robot.keyRef, { env: deps.env, demoAllowed: robot.tenantIsDemo });
      } catch (error) {
        if (error instanceof SecretUnavailableError) throw new SendFailedError(error.message, false, 'no_secret');
        throw error;
      }
      const url = new URL('/cgi-bin/webhook/send', robot.apiBaseUrl);
      url.searchParams.set('key', key);
      let answer: { errcode?: number; errmsg?: string };
      try {
        const response = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(robotBody(groupMessageOf(message.payload))),
          signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
        });
        if (!response.ok) throw new SendFailedError(`webhook answered HTTP ${response.status}`, true, 'http');
        answer = (await response.json()) as typeof answer;
      } catch (error) {
        if (error instanceof SendFailedError) throw error;
        // The key travels in the URL: report the failure without the URL.
        throw new SendFailedError(`webhook unreachable: ${(error as Error).name}`, true, 'network');
      }
      const errcode = answer.errcode ?? -1;
      if (errcode !== 0) {
        if (errcode === 45009) deps.log.warn({ robotId: robot.id }, 'WeCom group robot over its rate limit');
        throw new SendFailedError(`webhook/send errcode ${errcode}`, retryableErrcodes.has(errcode), String(errcode));
      }
      return { receipt: { robotId: robot.id } };
    },
  };
}
