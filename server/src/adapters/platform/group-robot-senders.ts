import type { GroupRobotRecord } from '../../features/group-robots';
import type { Logger } from '../../observability/logger';
import type { Clock } from '../../ports/clock';
import { SendFailedError, type OutboundSender } from '../../ports/outbound-sender';
import { dingtalkWebhookRobotSender } from '../dingtalk/webhook-robot-sender';
import { wecomRobotSender } from '../wecom/robot-sender';

/**
 * The senders of channels `wecom_robot` and `dingtalk_robot` over the tenants' registered robots (table
 * group_robots). The outbox recipient is the robot's id: lookups are scoped to the message's tenant, so another
 * tenant's robot id names no robot, and pacing (18 a minute per channel and recipient, domain/pacing.ts) counts per
 * robot, never shared between tenants.
 */
export function groupRobotSenders(deps: {
  /** `stores.groupRobots.findRobot`: the tenant's own robot or undefined. */
  findRobot(tenantId: string, robotId: string): Promise<GroupRobotRecord | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  clock: Clock;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): { wecom_robot: OutboundSender; dingtalk_robot: OutboundSender } {
  const findOf = (platform: GroupRobotRecord['platform']) => async (tenantId: string, robotId: string) => {
    const robot = await deps.findRobot(tenantId, robotId);
    return robot?.platform === platform ? robot : undefined;
  };
  const wecom = wecomRobotSender({
    findRobot: findOf('wecom'),
    env: deps.env,
    log: deps.log,
    ...(deps.fetch && { fetch: deps.fetch }),
    ...(deps.timeoutMs !== undefined && { timeoutMs: deps.timeoutMs }),
  });
  const findDingtalk = findOf('dingtalk');
  const dingtalk: OutboundSender = {
    async send(message) {
      const robot = await findDingtalk(message.tenantId, message.recipient);
      if (!robot) throw new SendFailedError(`no DingTalk group robot ${message.recipient}`, false, 'no_robot');
      // The static-map sender does the signing and errcode handling; each send hands it the one robot it needs.
      const sender = dingtalkWebhookRobotSender({
        robots: {
          [robot.id]: { accessTokenRef: robot.keyRef, ...(robot.signSecretRef !== null && { signSecretRef: robot.signSecretRef }), demo: robot.tenantIsDemo },
        },
        env: deps.env,
        baseUrl: robot.apiBaseUrl,
        clock: deps.clock,
        ...(deps.fetch && { fetch: deps.fetch }),
        ...(deps.timeoutMs !== undefined && { timeoutMs: deps.timeoutMs }),
      });
      const result = await sender.send(message);
      return { receipt: { ...result.receipt, robotId: robot.id } };
    },
  };
  return { wecom_robot: wecom, dingtalk_robot: dingtalk };
}
