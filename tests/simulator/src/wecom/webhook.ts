import { WecomApiError, errcodes } from './errors';
import type { RobotMessage, WecomState } from './state';

// https://developer.work.weixin.qq.com/document/path/91770 (消息推送 / 群机器人)
export const robotMessagesPerMinute = 20;
const maxTextBytes = 2048;
const maxMarkdownBytes = 4096;
const robotCardTypes = new Set(['text_notice', 'news_notice']);

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function checkContent(payload: Record<string, unknown>, maxBytes: number): string {
  const content = typeof payload.content === 'string' ? payload.content : '';
  if (content.length === 0) throw new WecomApiError(errcodes.emptyContent);
  if (Buffer.byteLength(content, 'utf8') > maxBytes) throw new WecomApiError(errcodes.contentTooLarge);
  return content;
}

export function sendRobotMessage(state: WecomState, key: string | undefined, body: Record<string, unknown>) {
  const robot = key ? state.robots.get(key) : undefined;
  if (!key || !robot) throw new WecomApiError(errcodes.invalidWebhookUrl);
  const msgtype = typeof body.msgtype === 'string' ? body.msgtype : '';
  const payload = asRecord(body[msgtype]);
  let content: string | undefined;
  if (msgtype === 'text') content = checkContent(payload, maxTextBytes);
  else if (msgtype === 'markdown') content = checkContent(payload, maxMarkdownBytes);
  else if (msgtype === 'template_card') {
    if (!robotCardTypes.has(String(payload.card_type))) throw new WecomApiError(errcodes.invalidParameter, 'card_type');
  } else throw new WecomApiError(errcodes.invalidMsgType, `msgtype ${msgtype}`);

  // Unlike app messages, a robot over its limit is refused outright and nothing reaches the group.
  const now = state.nowMs();
  const window = state.robotMinute.get(key);
  if (window.count(now) >= robotMessagesPerMinute) throw new WecomApiError(errcodes.apiFreqOutOfLimit);
  window.record(now);

  const mentioned = Array.isArray(payload.mentioned_list) ? payload.mentioned_list.map(String) : [];
  const message: RobotMessage = {
    msgtype,
    receivedAt: state.clock.now(),
    payload,
    mentionedList: mentioned,
    ...(content === undefined ? {} : { content }),
  };
  const list = state.robotInbox.get(key) ?? [];
  list.push(message);
  state.robotInbox.set(key, list);
  return {};
}
