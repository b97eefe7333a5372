import { randomBytes } from 'node:crypto';
import {
  cardView,
  interactiveCardTypes,
  issueResponseCode,
  registerTaskId,
  taskIdTaken,
  validateTemplateCard,
} from './cards';
import type { Corp, DroppedMessage, Member, ReceivedMessage } from './corp';
import { WecomApiError, errcodes } from './errors';
import type { WecomState } from './state';
import type { Grant } from './tokens';

// https://developer.work.weixin.qq.com/document/path/90236 (发送应用消息)
const maxTextBytes = 2048;
const maxRecipients = 1000;
const defaultDuplicateIntervalSeconds = 1800;
const maxDuplicateIntervalSeconds = 4 * 3600;
// https://developer.work.weixin.qq.com/document/path/90454 (频率限制)
export const memberMessagesPerMinute = 30;
export const memberMessagesPerHour = 1000;

const simulatedTypes = new Set(['text', 'markdown', 'textcard', 'template_card']);

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** JSON with sorted keys, so that two requests with the same content compare equal for the duplicate check. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function newMsgId(): string {
  return randomBytes(24).toString('base64url');
}

/** Validates the type-specific part and returns it; throws the errcode WeCom answers. */
function validateContent(msgtype: string, body: Record<string, unknown>): { payload: Record<string, unknown>; content?: string } {
  if (!simulatedTypes.has(msgtype)) throw new WecomApiError(errcodes.invalidMsgType, `msgtype ${msgtype}`);
  const payload = asRecord(body[msgtype]);
  switch (msgtype) {
    case 'text':
    case 'markdown': {
      const content = typeof payload.content === 'string' ? payload.content : '';
      if (content.length === 0) throw new WecomApiError(errcodes.emptyContent);
      if (byteLength(content) > maxTextBytes) throw new WecomApiError(errcodes.contentTooLarge);
      return { payload, content };
    }
    case 'textcard':
      if (!payload.title) throw new WecomApiError(errcodes.titleMissing);
      if (!payload.description) throw new WecomApiError(errcodes.descriptionMissing);
      if (!payload.url) throw new WecomApiError(errcodes.urlMissing);
      return { payload };
    default:
      validateTemplateCard(payload);
      return { payload };
  }
}

function splitIds(value: unknown): string[] {
  if (typeof value !== 'string' && typeof value !== 'number') return [];
  return String(value)
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Disabled members and those who left cannot receive; not-yet-activated ones get it when they join. */
function canReceive(member: Member): boolean {
  return member.status === 1 || member.status === 4;
}

interface Recipients {
  readonly members: Member[];
  readonly invaliduser: string[];
  readonly invalidparty: string[];
  readonly invalidtag: string[];
}

function resolveRecipients(corp: Corp, body: Record<string, unknown>): Recipients {
  const users = splitIds(body.touser);
  const parties = splitIds(body.toparty);
  const tags = splitIds(body.totag);
  if (users.length + parties.length + tags.length === 0) throw new WecomApiError(errcodes.allRecipientsEmpty);
  if (users.length > maxRecipients) throw new WecomApiError(errcodes.invalidUserIdListSize);

  const chosen = new Map<string, Member>();
  const invaliduser: string[] = [];
  const invalidparty: string[] = [];
  if (users.includes('@all')) {
    for (const [key, member] of corp.members) if (canReceive(member)) chosen.set(key, member);
  } else {
    for (const userid of users) {
      const member = corp.member(userid);
      if (member && canReceive(member)) chosen.set(userid.toLowerCase(), member);
      else invaliduser.push(userid.toLowerCase());
    }
  }
  for (const party of parties) {
    const id = Number(party);
    if (!Number.isInteger(id) || !corp.departments.has(id)) {
      invalidparty.push(party);
      continue;
    }
    const ids = new Set(corp.subtree(id).map((d) => d.id));
    for (const [key, member] of corp.members) {
      if (canReceive(member) && member.department.some((d) => ids.has(d))) chosen.set(key, member);
    }
  }
  // Tags are not simulated: every tag id is reported invalid, as an unknown tag would be.
  return { members: [...chosen.values()], invaliduser, invalidparty, invalidtag: tags };
}

function invalidFields(r: Recipients): Record<string, string> {
  const fields: Record<string, string> = {};
  if (r.invaliduser.length > 0) fields.invaliduser = r.invaliduser.join('|');
  if (r.invalidparty.length > 0) fields.invalidparty = r.invalidparty.join('|');
  if (r.invalidtag.length > 0) fields.invalidtag = r.invalidtag.join('|');
  return fields;
}

function isDuplicate(state: WecomState, corp: Corp, agentId: number, body: Record<string, unknown>): boolean {
  if (Number(body.enable_duplicate_check) !== 1) return false;
  const requested = Number(body.duplicate_check_interval ?? defaultDuplicateIntervalSeconds);
  const intervalS = Number.isFinite(requested)
    ? Math.min(Math.max(requested, 0), maxDuplicateIntervalSeconds)
    : defaultDuplicateIntervalSeconds;
  const key = `${corp.config.corpId}\0${agentId}\0${canonicalJson(body)}`;
  const now = state.nowMs();
  const last = state.duplicateIndex.get(key);
  if (last !== undefined && now < last + intervalS * 1000) return true;
  state.duplicateIndex.set(key, now);
  return false;
}

// https://developer.work.weixin.qq.com/document/path/90236
export function sendAppMessage(state: WecomState, corp: Corp, grant: Grant, body: Record<string, unknown>) {
  // The contacts-sync secret's token may read the directory but never send (48002).
  if (grant.kind !== 'app') throw new WecomApiError(errcodes.apiForbidden);
  if (body.agentid === undefined || body.agentid === '') throw new WecomApiError(errcodes.agentIdMissing);
  if (Number(body.agentid) !== grant.agentId) throw new WecomApiError(errcodes.invalidAgentId);
  const msgtype = typeof body.msgtype === 'string' ? body.msgtype : '';
  const { payload, content } = validateContent(msgtype, body);
  const recipients = resolveRecipients(corp, body);
  if (recipients.members.length === 0) {
    throw new WecomApiError(errcodes.allRecipientsInvalid, undefined, invalidFields(recipients));
  }

  const msgid = newMsgId();
  const answer: Record<string, unknown> = { ...invalidFields(recipients), msgid };
  const receivedAt = state.clock.now();
  const base = { msgid, agentId: grant.agentId, msgtype, receivedAt, payload, ...(content === undefined ? {} : { content }) };

  if (isDuplicate(state, corp, grant.agentId, body)) {
    // Answered like a success, delivered to no one.
    for (const member of recipients.members) corp.drop(member.userid, { ...base, reason: 'duplicate' });
    return answer;
  }

  const cardType = msgtype === 'template_card' ? String(payload.card_type) : undefined;
  if (cardType && interactiveCardTypes.has(cardType)) {
    const taskId = String(payload.task_id);
    if (taskIdTaken(state, corp.config.corpId, grant.agentId, taskId)) {
      throw new WecomApiError(errcodes.invalidParameter, 'task_id already exists');
    }
    registerTaskId(state, corp.config.corpId, grant.agentId, taskId);
    answer.response_code = issueResponseCode(state, corp.config.corpId, grant.agentId, taskId);
  }

  const now = receivedAt.getTime();
  for (const member of recipients.members) {
    const key = `${corp.config.corpId}\0${grant.agentId}\0${member.userid.toLowerCase()}`;
    const minute = state.memberMinute.get(key);
    const hour = state.memberHour.get(key);
    const message: ReceivedMessage = { ...base, ...(cardType ? { card: cardView(payload) } : {}) };
    if (minute.count(now) >= memberMessagesPerMinute) {
      corp.drop(member.userid, { ...message, reason: 'per-minute-cap' } satisfies DroppedMessage);
    } else if (hour.count(now) >= memberMessagesPerHour) {
      corp.drop(member.userid, { ...message, reason: 'per-hour-cap' });
    } else {
      minute.record(now);
      hour.record(now);
      corp.deliver(member.userid, message);
    }
  }
  return answer;
}
