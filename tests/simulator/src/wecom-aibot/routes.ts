import { Router } from '@koa/router';
import { readBody } from '../http/read-body';
import { errmsgFor } from '../wecom/errors';
import { type AibotState, aibotErrcodes, aibotLimits, byteLength } from './state';

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
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
