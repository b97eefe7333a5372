import { randomBytes } from 'node:crypto';
import type { CardButton, CardView, Corp } from './corp';
import { WecomApiError, errcodes } from './errors';
import type { WecomState } from './state';
import type { Grant } from './tokens';

export const interactiveCardTypes = new Set(['button_interaction', 'vote_interaction', 'multiple_interaction']);
export const cardTypes = new Set(['text_notice', 'news_notice', ...interactiveCardTypes]);

// https://developer.work.weixin.qq.com/document/path/90236 (模板卡片消息): task_id is unique within the app,
// letters, digits and _-@ only, at most 128 bytes.
const taskIdPattern = /^[0-9a-zA-Z_\-@]{1,128}$/;

/**
 * https://developer.work.weixin.qq.com/document/path/94945 : a response_code is single-use. The update page now says
 * 72 h but message/send still says 24 h; the simulator enforces the stricter 24 h.
 */
export const responseCodeLifetimeMs = 24 * 3600 * 1000;

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Checks a template_card of message/send; throws the errcode WeCom answers for the first problem. */
export function validateTemplateCard(card: Record<string, unknown>): void {
  const cardType = asString(card.card_type);
  if (!cardType || !cardTypes.has(cardType)) throw new WecomApiError(errcodes.invalidParameter, 'card_type');
  if (!interactiveCardTypes.has(cardType)) return;
  const taskId = asString(card.task_id);
  if (!taskId || !taskIdPattern.test(taskId)) throw new WecomApiError(errcodes.invalidTaskId);
  if (cardType === 'button_interaction') {
    const buttons = Array.isArray(card.button_list) ? card.button_list : [];
    if (buttons.length === 0 || buttons.length > 6) throw new WecomApiError(errcodes.invalidParameter, 'button_list');
    for (const raw of buttons) {
      const button = asRecord(raw);
      if (!asString(button.key)) throw new WecomApiError(errcodes.buttonKeyMissing);
      if (!asString(button.text)) throw new WecomApiError(errcodes.buttonNameMissing);
    }
  }
}

export function cardView(card: Record<string, unknown>): CardView {
  const mainTitle = asRecord(card.main_title);
  const buttons: CardButton[] = (Array.isArray(card.button_list) ? card.button_list : []).map((raw) => {
    const b = asRecord(raw);
    return { key: String(b.key ?? ''), text: String(b.text ?? ''), ...(typeof b.style === 'number' ? { style: b.style } : {}) };
  });
  return {
    cardType: String(card.card_type),
    ...(asString(card.task_id) ? { taskId: asString(card.task_id) } : {}),
    title: asString(mainTitle.title),
    description: asString(mainTitle.desc) ?? asString(card.sub_title_text),
    buttons,
    template: card,
  };
}

function taskKey(corpId: string, agentId: number, taskId: string): string {
  return `${corpId}\0${agentId}\0${taskId}`;
}

export function taskIdTaken(state: WecomState, corpId: string, agentId: number, taskId: string): boolean {
  return state.taskIds.has(taskKey(corpId, agentId, taskId));
}

export function registerTaskId(state: WecomState, corpId: string, agentId: number, taskId: string): void {
  state.taskIds.add(taskKey(corpId, agentId, taskId));
}

export function issueResponseCode(state: WecomState, corpId: string, agentId: number, taskId: string): string {
  const code = randomBytes(32).toString('base64url');
  state.responseCodes.set(code, { corpId, agentId, taskId, issuedAtMs: state.nowMs(), used: false });
  return code;
}

/** The member's copy of a card, newest first: a task_id is unique per app, so there is at most one per app. */
export function findCard(corp: Corp, userid: string, agentId: number, taskId: string): CardView | undefined {
  return corp
    .received(userid)
    .find((m) => m.agentId === agentId && m.card?.taskId === taskId)?.card;
}

// https://developer.work.weixin.qq.com/document/path/94945 (更新模版卡片消息)
export function updateTemplateCard(state: WecomState, corp: Corp, grant: Grant, body: Record<string, unknown>) {
  if (grant.kind !== 'app') throw new WecomApiError(errcodes.apiForbidden);
  if (body.agentid === undefined) throw new WecomApiError(errcodes.agentIdMissing);
  if (Number(body.agentid) !== grant.agentId) throw new WecomApiError(errcodes.invalidAgentId);
  const code = asString(body.response_code);
  const record = code ? state.responseCodes.get(code) : undefined;
  if (!code || !record || record.corpId !== corp.config.corpId || record.agentId !== grant.agentId) {
    throw new WecomApiError(errcodes.invalidParameter, 'response_code');
  }
  if (record.used) throw new WecomApiError(errcodes.invalidParameter, 'response_code already used');
  if (state.nowMs() >= record.issuedAtMs + responseCodeLifetimeMs) {
    throw new WecomApiError(errcodes.invalidParameter, 'response_code expired');
  }
  const replaceName = asString(asRecord(body.button).replace_name);
  const newCard = body.template_card === undefined ? undefined : asRecord(body.template_card);
  if (!replaceName && !newCard) throw new WecomApiError(errcodes.invalidParameter, 'button or template_card');
  if (newCard) validateTemplateCard({ ...newCard, task_id: newCard.task_id ?? record.taskId });

  const userids = Array.isArray(body.userids) ? body.userids.map(String) : [];
  const targets =
    body.atall === 1
      ? [...corp.members.keys()]
      : userids;
  if (targets.length === 0) throw new WecomApiError(errcodes.allRecipientsEmpty);
  const invaliduser: string[] = [];
  let updated = 0;
  for (const userid of targets) {
    const card = findCard(corp, userid, grant.agentId, record.taskId);
    if (!card) {
      if (body.atall !== 1) invaliduser.push(userid.toLowerCase());
      continue;
    }
    applyCardUpdate(card, { replaceName, template: newCard });
    updated += 1;
  }
  if (updated === 0) throw new WecomApiError(errcodes.allRecipientsInvalid, undefined, { invaliduser });
  record.used = true;
  return { invaliduser };
}

export function applyCardUpdate(card: CardView, update: { replaceName?: string; template?: Record<string, unknown> }) {
  if (update.template) {
    const next = cardView({ ...update.template, task_id: update.template.task_id ?? card.taskId });
    card.title = next.title;
    card.description = next.description;
    card.buttons = next.buttons;
    card.template = next.template;
    delete card.replaceName;
  }
  if (update.replaceName) card.replaceName = update.replaceName;
}
