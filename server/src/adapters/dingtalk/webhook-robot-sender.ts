import type { GroupMessage } from '../../ports/group-notifier';
import { renderDingtalkWebhookBody } from './render-group-message';
import { createHmac } from 'node:crypto';
import type { Clock } from '../../ports/clock';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../ports/outbound-sender';
import { resolveSecretRef, SecretUnavailableError } from '../platform/secret-ref';

/**
 * Outbox rows of channel `dingtalk_robot`: a group's custom (webhook) robot. The recipient names a configured robot
 * (never the access token itself, which is a credential); the payload is the robot's JSON body
 * (`{msgtype: "text", text: {content}}`, markdown, link, actionCard). DingTalk allows 20 messages a minute per robot
 * and then blocks it for 10 minutes, so the outbox paces the channel at 18 a minute (domain/pacing.ts), keyed by
 * recipient = per robot.
 * https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages
 * https://open.dingtalk.com/document/orgapp/customize-robot-security-settings (加签)
 */
export interface WebhookRobotConfig {
  /** Secret reference (`env:NAME`) of the webhook's access_token. */
  readonly accessTokenRef: string;
  /** Secret reference of the 加签 secret (SEC…), when the robot has signing on. */
  readonly signSecretRef?: string;
  /** A demo tenant's robot may use `demo:` references. */
  readonly demo?: boolean;
}

/** Throttled: 660026 (observed live), 410100 (the rate-limit doc), 130101 (older reports); -1 busy. */
const throttled = new Set([660026, 410100, 130101, -1]);

export function dingtalkWebhookRobotSender(deps: {
  robots: Readonly<Record<string, WebhookRobotConfig>>;
  env: Readonly<Record<string, string | undefined>>;
  /** https://oapi.dingtalk.com (the simulator's URL in tests). */
  baseUrl: string;
  clock: Clock;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): OutboundSender {
  const doFetch = deps.fetch ?? fetch;
  return {
    async send(message: OutboundMessage) {
      const robot = deps.robots[message.recipient];
      if (!robot) throw new SendFailedError(`no webhook robot named ${message.recipient}`, false, 'no_robot');
      let url: URL;
      try {
        const options = { env: deps.env, demoAllowed: robot.demo ?? false };
        url = new URL('/robot/send', deps.baseUrl);
        url.searchParams.set('access_token', resolveSecretRef(robot.accessTokenRef, options));
        if (robot.signSecretRef) {
          const secret = resolveSecretRef(robot.signSecretRef, options);
          const timestamp = String(deps.clock.now().getTime());
          url.searchParams.set('timestamp', timestamp);
          url.searchParams.set('sign', createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64'));
        }
      } catch (error) {
        if (error instanceof SecretUnavailableError) throw new SendFailedError(error.message, false, 'no_secret');
        throw error;
      }
      let answer: { errcode?: number; errmsg?: string };
      try {
        const response = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          // A neutral message (GroupNotifier) is rendered here; otherwise the row holds the robot's JSON body.
          body: JSON.stringify(message.payload.message !== undefined ? renderDingtalkWebhookBody(message.payload.message as GroupMessage) : message.payload),
          signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
        });
        answer = (await response.json()) as typeof answer;
      } catch (error) {
        throw new SendFailedError(`network: ${(error as Error).message}`, true, 'network');
      }
      const errcode = answer.errcode ?? -1;
      if (errcode === 0) return { receipt: {} };
      throw new SendFailedError(`DingTalk robot/send failed: errcode ${errcode} ${answer.errmsg ?? ''}`, throttled.has(errcode), String(errcode));
    },
  };
}
