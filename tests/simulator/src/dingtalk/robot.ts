import { createHmac, randomBytes } from 'node:crypto';
import { DingtalkApiError, OapiError, newApiErrors, oapiErrcodes } from './errors';
import { checkPhotoUrl } from './cards';
import type { DingtalkAppConfig, DingtalkState } from './state';

/**
 * Robot sending, as https://api.dingtalk.com and https://oapi.dingtalk.com answer it.
 * - app robot to a group: https://open.dingtalk.com/document/orgapp/the-robot-sends-a-group-message
 * - app robot 1:1, batch: https://open.dingtalk.com/document/orgapp/chatbots-send-one-on-one-chat-messages-in-batches
 * - custom (webhook) robot: https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages
 */
export const maxOtoUsers = 20;
/** chosen from the group-send doc's msgParam limit. */
export const maxMsgParamBytes = 15_000;
export const webhookPerMinute = 20;
/** "每个机器人每分钟最多发送20条消息到群里，如果超过20条，会限流10分钟" */
export const webhookBlockMs = 10 * 60_000;

/** msgKey → fields its msgParam must carry (message templates: https://open.dingtalk.com/document/orgapp/robot-message-types-and-data-format). */
const msgKeys: Record<string, readonly string[]> = {
  sampleText: ['content'],
  sampleMarkdown: ['title', 'text'],
  sampleImageMsg: ['photoURL'],
  sampleLink: ['text', 'title', 'picUrl', 'messageUrl'],
  sampleActionCard: ['title', 'text', 'singleTitle', 'singleURL'],
  sampleActionCard2: ['title', 'text'],
  sampleActionCard3: ['title', 'text'],
  sampleActionCard4: ['title', 'text'],
  sampleActionCard5: ['title', 'text'],
  sampleActionCard6: ['title', 'text'],
  sampleAudio: ['mediaId', 'duration'],
  sampleFile: ['mediaId', 'fileName', 'fileType'],
  sampleVideo: ['duration', 'videoMediaId', 'videoType', 'picMediaId'],
};

function processQueryKey(): string {
  return randomBytes(24).toString('base64');
}

/** msgKey and msgParam as DingTalk checks them: msgParam must be a JSON *string* of an object with the template's fields. */
function readTemplate(body: Record<string, unknown>): { msgKey: string; msgParam: Record<string, unknown> } {
  const msgKey = body.msgKey;
  if (typeof msgKey !== 'string' || !msgKeys[msgKey]) throw newApiErrors.invalidParameter('msgKey', 'notExist', 'msgKey不存在');
  const raw = body.msgParam;
  if (typeof raw !== 'string') {
    // The API's schema declares msgParam a String; an object is refused, not serialised for the caller.
    throw newApiErrors.invalidParameter('msgParam', 'invalid', 'msgParam必须是JSON格式的字符串');
  }
  if (Buffer.byteLength(raw, 'utf8') > maxMsgParamBytes) throw newApiErrors.invalidParameter('msgParam', 'tooLong', 'msgParam超过长度限制');
  let msgParam: unknown;
  try {
    msgParam = JSON.parse(raw);
  } catch {
    throw newApiErrors.invalidParameter('msgParam', 'invalid', 'msgParam不是合法的JSON');
  }
  if (typeof msgParam !== 'object' || msgParam === null || Array.isArray(msgParam)) {
    throw newApiErrors.invalidParameter('msgParam', 'invalid', 'msgParam必须是JSON对象');
  }
  const missing = (msgKeys[msgKey] ?? []).find((f) => (msgParam as Record<string, unknown>)[f] === undefined);
  if (missing) throw newApiErrors.invalidParameter('msgParam', 'invalid', `msgParam缺少${missing}`);
  return { msgKey, msgParam: msgParam as Record<string, unknown> };
}

function robotOf(state: DingtalkState, app: DingtalkAppConfig, robotCode: unknown): string {
  // A token acts for its own app; another app's robotCode is as unknown as a made-up one. (chosen)
  if (typeof robotCode !== 'string' || robotCode !== app.robotCode || !state.appByRobotCode(robotCode)) throw newApiErrors.robotNotFound();
  return robotCode;
}

export function sendGroupMessage(state: DingtalkState, app: DingtalkAppConfig, body: Record<string, unknown>) {
  const robotCode = robotOf(state, app, body.robotCode);
  const cid = body.openConversationId;
  if (typeof cid !== 'string' || cid.length === 0) throw newApiErrors.invalidParameter('openConversationId', 'empty', 'openConversationId不能为空');
  const { msgKey, msgParam } = readTemplate(body);
  if (msgKey === 'sampleImageMsg') checkPhotoUrl(state, app, msgParam.photoURL);
  if (!state.groups.has(cid)) throw newApiErrors.invalidParameter('openConversationId', 'notExist', '群会话不存在或机器人不在群内');
  const key = processQueryKey();
  state.deliverToGroup(cid, { via: 'groupMessages', robotCode, msgKey, msgParam, processQueryKey: key, receivedAt: state.clock.now() });
  return { processQueryKey: key };
}

export function batchSendOto(state: DingtalkState, app: DingtalkAppConfig, body: Record<string, unknown>) {
  const robotCode = robotOf(state, app, body.robotCode);
  const userIds = body.userIds;
  if (!Array.isArray(userIds) || userIds.length === 0 || userIds.some((u) => typeof u !== 'string')) {
    throw newApiErrors.invalidParameter('userIds', 'empty', 'userIds不能为空');
  }
  if (userIds.length > maxOtoUsers) throw newApiErrors.invalidParameter('userIds', 'exceedLimit', `userIds最多${maxOtoUsers}个`);
  const { msgKey, msgParam } = readTemplate(body);
  if (msgKey === 'sampleImageMsg') checkPhotoUrl(state, app, msgParam.photoURL);
  const key = processQueryKey();
  const invalidStaffIdList: string[] = [];
  const flowControlledStaffIdList: string[] = [];
  for (const userId of userIds as string[]) {
    if (!state.users.has(userId)) {
      invalidStaffIdList.push(userId);
      continue;
    }
    const limited = state.flowControl.get(userId) ?? 0;
    if (limited > 0) {
      // Flow-controlled recipients are listed and not reached; the call itself succeeds.
      state.flowControl.set(userId, limited - 1);
      flowControlledStaffIdList.push(userId);
      continue;
    }
    state.deliverToUser(userId, { via: 'oToMessages', robotCode, msgKey, msgParam, processQueryKey: key, receivedAt: state.clock.now() });
  }
  return { processQueryKey: key, invalidStaffIdList, flowControlledStaffIdList };
}

/** Custom robot body → what the group shows. msgtype: text, markdown, link, actionCard, feedCard. */
function readWebhookBody(body: Record<string, unknown>): { msgKey: string; msgParam: Record<string, unknown> } {
  const msgtype = typeof body.msgtype === 'string' ? body.msgtype : '';
  const content = body[msgtype];
  if (!['text', 'markdown', 'link', 'actionCard', 'feedCard'].includes(msgtype) || typeof content !== 'object' || content === null) {
    throw new OapiError(oapiErrcodes.robotInvalidMessage, 'msgtype');
  }
  const param = content as Record<string, unknown>;
  if (msgtype === 'text' && (typeof param.content !== 'string' || param.content.length === 0)) throw new OapiError(oapiErrcodes.robotInvalidMessage, 'text.content');
  if (msgtype === 'markdown' && (typeof param.title !== 'string' || typeof param.text !== 'string')) throw new OapiError(oapiErrcodes.robotInvalidMessage, 'markdown');
  return { msgKey: msgtype, msgParam: { ...param, ...(body.at === undefined ? {} : { at: body.at }) } };
}

export function webhookSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

export function sendWebhook(state: DingtalkState, query: { accessToken?: string; timestamp?: string; sign?: string }, body: Record<string, unknown>) {
  const robot = query.accessToken ? state.webhookRobots.get(query.accessToken) : undefined;
  if (!robot) throw new OapiError(oapiErrcodes.robotTokenNotExist);
  if (robot.secret !== undefined) {
    // 加签: the timestamp must be within an hour of DingTalk's clock and the HMAC must match.
    const ts = Number(query.timestamp);
    if (!query.timestamp || !Number.isFinite(ts) || Math.abs(state.nowMs() - ts) > 3_600_000) throw new OapiError(oapiErrcodes.robotSignMismatch, 'timestamp');
    if (query.sign !== webhookSign(robot.secret, query.timestamp)) throw new OapiError(oapiErrcodes.robotSignMismatch);
  }
  const now = state.nowMs();
  if (robot.blockedUntilMs !== undefined && now < robot.blockedUntilMs) throw new OapiError(oapiErrcodes.robotTooFast);
  const window = state.webhookMinute.get(robot.accessToken);
  if (window.count(now) >= webhookPerMinute) {
    robot.blockedUntilMs = now + webhookBlockMs;
    throw new OapiError(oapiErrcodes.robotTooFast);
  }
  const { msgKey, msgParam } = readWebhookBody(body);
  window.record(now);
  const list = state.webhookInboxes.get(robot.accessToken) ?? [];
  list.push({ via: 'customRobot', msgKey, msgParam, receivedAt: state.clock.now() });
  state.webhookInboxes.set(robot.accessToken, list);
  return {};
}

/** The reply URL handed out with each robot message: no token needed, valid until sessionWebhookExpiredTime. */
export function sendBySession(state: DingtalkState, session: string | undefined, body: Record<string, unknown>) {
  const target = session ? state.sessions.get(session) : undefined;
  if (!target || state.nowMs() >= target.expiresAtMs) throw new OapiError(oapiErrcodes.robotTokenNotExist, 'session expired');
  const { msgKey, msgParam } = readWebhookBody(body);
  const message = { via: 'sessionWebhook' as const, msgKey, msgParam, receivedAt: state.clock.now() };
  if (target.openConversationId) state.deliverToGroup(target.openConversationId, message);
  else if (target.userId) state.deliverToUser(target.userId, message);
  return {};
}

export { DingtalkApiError };
