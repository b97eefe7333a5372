import { AppError, type FieldIssue } from '../../domain/errors';
import type { FeatureContext } from '../context';
import type { GroupRobotPlatform, GroupRobotRecord } from './group-robot-store';

export type { GroupRobotStore, GroupRobotRecord, GroupRobotPlatform, NewGroupRobot } from './group-robot-store';

export interface RegisterGroupRobotInput {
  readonly platform: GroupRobotPlatform;
  readonly name: string;
  readonly chatName?: string;
  /** `env:NAME` (or `demo:VALUE` for a demo tenant): the WeCom webhook key or the DingTalk access_token. */
  readonly keyRef: string;
  /** DingTalk 加签 secret reference, when the robot has signing on. */
  readonly signSecretRef?: string;
  /** https://qyapi.weixin.qq.com or https://oapi.dingtalk.com (the simulator in tests). */
  readonly apiBaseUrl: string;
}

const secretRef = /^(env|demo):.+/;

/** Registers a robot of the tenant; its id is the outbox recipient for channel `wecom_robot` or `dingtalk_robot`. */
export async function registerGroupRobot(ctx: FeatureContext, tenantId: string, input: RegisterGroupRobotInput): Promise<GroupRobotRecord> {
  const issues: FieldIssue[] = [];
  const name = input.name.trim();
  if (name.length < 1 || name.length > 64) issues.push({ path: 'name', message: '1–64 个字符 / 1–64 characters' });
  if ((input.chatName ?? '').length > 128) issues.push({ path: 'chatName', message: '最多 128 个字符 / at most 128 characters' });
  if (!secretRef.test(input.keyRef)) issues.push({ path: 'keyRef', message: '应为 env:NAME 或 demo:VALUE / must be env:NAME or demo:VALUE' });
  if (input.signSecretRef !== undefined) {
    if (input.platform !== 'dingtalk') issues.push({ path: 'signSecretRef', message: '仅钉钉机器人支持加签 / signing is DingTalk only' });
    else if (!secretRef.test(input.signSecretRef)) issues.push({ path: 'signSecretRef', message: '应为 env:NAME 或 demo:VALUE / must be env:NAME or demo:VALUE' });
  }
  if (!/^https?:\/\//.test(input.apiBaseUrl)) issues.push({ path: 'apiBaseUrl', message: '应为 http(s) 地址 / must be an http(s) URL' });
  if (issues.length > 0) throw new AppError('VALIDATION_FAILED', '群机器人信息无效 / invalid group robot', issues);
  return ctx.stores.groupRobots.insertRobot(tenantId, {
    platform: input.platform,
    name,
    chatName: input.chatName ?? '',
    keyRef: input.keyRef,
    signSecretRef: input.signSecretRef ?? null,
    apiBaseUrl: input.apiBaseUrl,
  });
}

export function listGroupRobots(ctx: FeatureContext, tenantId: string): Promise<GroupRobotRecord[]> {
  return ctx.stores.groupRobots.listRobots(tenantId);
}
