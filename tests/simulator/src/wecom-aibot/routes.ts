import { Router } from '@koa/router';
import { readBody } from '../http/read-body';
import { errmsgFor } from '../wecom/errors';
import { type AibotState, aibotErrcodes, aibotLimits, byteLength } from './state';

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * 按钮交互型 (button_interaction) rules, from the SDK's TemplateCard types and doc 101031: a task_id of letters,
 * digits and `_-@` up to 128 bytes; 1–6 buttons, each with text and a key of at most 1024 bytes, keys not repeated.
 */
export function buttonCardProblem(card: Record<string, unknown>): string | undefined {
  const taskId = card.task_id;
  if (typeof taskId !== 'string' || !/^[0-9A-Za-z_\-@]{1,128}$/.test(taskId)) return 'template_card.task_id';
  const buttons = card.button_list;
  if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 6) return 'template_card.button_list';
  const keys = new Set<string>();
  for (const raw of buttons) {
    const button = asRecord(raw);
    if (!button || typeof button.text !== 'string' || button.text.length === 0) return 'template_card.button_list.text';
    if (typeof button.key !== 'string' || button.key.length === 0 || byteLength(button.key) > 1024 || keys.has(button.key)) return 'template_card.button_list.key';
    keys.add(button.key);
  }
  return undefined;
}

/** The clickable buttons of a posted body (template_card of type button_interaction), with the card's task_id. */
export function buttonsOf(body: Record<string, unknown>): { taskId: string; buttons: { text: string; key: string }[] } | undefined {
  const card = asRecord(body.template_card);
  if (!card || card.card_type !== 'button_interaction' || buttonCardProblem(card)) return undefined;
  return { taskId: card.task_id as string, buttons: (card.button_list as { text: string; key: string }[]).map((b) => ({ text: b.text, key: b.key })) };
}

/**
 * Checks a markdown or template_card body, the two kinds a response_url and a proactive push accept.
 * Returns the errcode to answer, or the text content for the record.
 */
export function checkBotMessageBody(body: Record<string, unknown>): { errcode: number; detail: string } | { content?: string } {
  const msgtype = body.msgtype;
  if (msgtype === 'markdown') {
    const content = asRecord(body.markdown)?.content;
    if (typeof content !== 'string' || content.length === 0) return { errcode: aibotErrcodes.emptyContent, detail: 'markdown.content' };
    if (byteLength(content) > aibotLimits.maxStreamContentBytes) return { errcode: aibotErrcodes.contentTooLarge, detail: 'markdown.content' };
    return { content };
  }
  if (msgtype === 'template_card') {
    const card = asRecord(body.template_card);
    if (!card || typeof card.card_type !== 'string') return { errcode: aibotErrcodes.invalidParameter, detail: 'template_card.card_type' };
    if (card.card_type === 'button_interaction') {
      const problem = buttonCardProblem(card);
      if (problem) return { errcode: aibotErrcodes.invalidParameter, detail: problem };
    }
    return {};
  }
  return { errcode: aibotErrcodes.invalidMsgType, detail: `msgtype ${String(msgtype)}` };
}

/**
 * `POST <response_url>`: the AI bot's one-shot reply URL. One POST per URL, within an hour of the user's message;
 * a second POST, a late one or an unknown code is refused and nothing is posted.
 * https://developer.work.weixin.qq.com/document/path/101138 (主动回复消息)
 */
export function aibotRouter(state: AibotState): Router {
  const router = new Router();
  router.post('/cgi-bin/aibot/response', async (ctx) => {
    const code = typeof ctx.query.response_code === 'string' ? ctx.query.response_code : '';
    const answer = (errcode: number, detail?: string) => {
      ctx.body = { errcode, errmsg: errmsgFor(errcode, state.clock.now(), detail) };
    };
    const record = state.responseUrls.get(code);
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = asRecord(JSON.parse(await readBody(ctx.req)));
    } catch {
      parsed = undefined;
    }
    if (!record) return answer(aibotErrcodes.invalidParameter, 'response_code unknown');
    if (record.usedAtMs !== undefined) {
      record.refusals += 1;
      return answer(aibotErrcodes.invalidParameter, 'response_code already used');
    }
    if (state.nowMs() - record.issuedAtMs > aibotLimits.responseUrlValidityMs) {
      record.refusals += 1;
      return answer(aibotErrcodes.invalidParameter, 'response_code expired');
    }
    if (!parsed) return answer(aibotErrcodes.invalidParameter, 'Warning: wrong json format.');
    const checked = checkBotMessageBody(parsed);
    if ('errcode' in checked) return answer(checked.errcode, checked.detail);
    const card = buttonsOf(parsed);
    if (card && !state.claimTaskId(record.botId, card.taskId)) return answer(aibotErrcodes.invalidParameter, 'template_card.task_id repeated');
    record.usedAtMs = state.nowMs();
    state.post({
      botId: record.botId,
      chatKey: record.chatKey,
      via: 'response_url',
      msgtype: String(parsed.msgtype),
      body: parsed,
      ...(checked.content === undefined ? {} : { content: checked.content }),
    });
    return answer(0);
  });
  return router;
}
