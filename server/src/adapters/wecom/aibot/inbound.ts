import { createHash } from 'node:crypto';
import type { InboundEvent } from '../../../features/inbox';
import type { PlatformApp } from '../../../features/platform';
import { botEventKind, botMessageKind, type BotMessage } from '../../../ports/bot-message';
import type { Clock } from '../../../ports/clock';
import { resolveSecretRef } from '../../platform/secret-ref';
import { CallbackRejectedError, createCallbackCrypto, type CallbackCrypto, type SignedQuery } from '../callback-crypto';
import { encryptedFieldOf } from './envelope';
import { parseAibotPayload, stripBotMention, type AibotPayload } from './payload';

/**
 * The WeCom AI bot (智能机器人) turned into neutral inbox events. A `wecom_aibot` platform app stores the bot id in
 * `agent_id`, the long-connection secret in `secret_ref`, and the callback Token / EncodingAESKey in the callback refs.
 */

/** The AI bot acknowledges at once; the answer follows through the response_url or a proactive push. */
export const acknowledgement = '收到，处理中…';

// https://developer.work.weixin.qq.com/document/path/101138 : a response_url may be used once, within one hour.
const responseUrlValidityMs = 3_600_000;

export function aibotCryptoFor(app: PlatformApp, secrets: { env: Readonly<Record<string, string | undefined>>; clock: Clock }): CallbackCrypto {
  if (!app.callbackTokenRef || !app.encodingAesKeyRef) throw new CallbackRejectedError('signature', 'AI bot has no callback configured');
  const options = { env: secrets.env, demoAllowed: app.tenantIsDemo };
  return createCallbackCrypto({
    token: resolveSecretRef(app.callbackTokenRef, options),
    encodingAesKey: resolveSecretRef(app.encodingAesKeyRef, options),
    // "" for the AI bot: https://developer.work.weixin.qq.com/document/path/91144 (附注)
    receiveId: '',
    clock: secrets.clock,
  });
}

/** One stream per message, the same for a retried callback: derived from the msgid. */
export function streamIdFor(msgid: string): string {
  return `hb-${createHash('sha256').update(msgid).digest('hex').slice(0, 24)}`;
}

/** The passive reply that acknowledges a message: a stream finished at once, so WeCom sends no refresh callbacks. */
export function acknowledgementStream(streamId: string) {
  return { msgtype: 'stream', stream: { id: streamId, finish: true, content: acknowledgement } };
}

export type AibotInbound =
  | { readonly type: 'message'; readonly event: InboundEvent; readonly message: BotMessage }
  | { readonly type: 'event'; readonly event: InboundEvent }
  | { readonly type: 'stream_refresh'; readonly streamId: string };

/**
 * The neutral inbox event for a parsed payload. Messages and events are keyed `msg:<msgid>`, the documented
 * dedupe key ("开发者需据此进行事件排重"); stream refreshes are not user messages and are not stored.
 */
export function inboundOf(app: PlatformApp, payload: AibotPayload, via: BotMessage['via'], clock: Clock): AibotInbound {
  if (app.agentId && payload.botId !== app.agentId) throw new CallbackRejectedError('receive_id', 'aibotid is not this bot');
  if (payload.type === 'stream_refresh') return { type: 'stream_refresh', streamId: payload.streamId };
  const dedupeKey = `msg:${payload.msgid}`;
  if (payload.type === 'event') {
    return { type: 'event', event: { tenantId: app.tenantId, appId: app.id, kind: botEventKind(payload.eventType), dedupeKey, payload: payload.raw } };
  }
  const now = clock.now();
  // "单聊填用户的 userid，群聊填对应群聊的 chatid" (aibot_send_msg).
  const chatId = payload.chatType === 'group' && payload.chatId ? payload.chatId : payload.fromUserId;
  const push = { channel: 'wecom_aibot_push', chatId } as const;
  const message: BotMessage = {
    platform: 'wecom',
    messageId: payload.msgid,
    botId: payload.botId,
    chatType: payload.chatType,
    chatId,
    senderUserId: payload.fromUserId,
    text: stripBotMention(payload.text, payload.chatType),
    msgtype: payload.msgtype,
    reply: payload.responseUrl
      ? { channel: 'wecom_aibot_reply', responseUrl: payload.responseUrl, expiresAt: new Date(now.getTime() + responseUrlValidityMs).toISOString() }
      : push,
    push,
    via,
    receivedAt: now.toISOString(),
  };
  return {
    type: 'message',
    message,
    event: { tenantId: app.tenantId, appId: app.id, kind: botMessageKind, dedupeKey, payload: { ...message, raw: payload.raw } },
  };
}

/** Verifies, decrypts and parses one POSTed callback; throws CallbackRejectedError or AibotPayloadRejectedError. */
export function openAibotCallback(app: PlatformApp, crypto: CallbackCrypto, query: SignedQuery, body: string, clock: Clock): AibotInbound {
  const plaintext = crypto.open(query, encryptedFieldOf(body));
  return inboundOf(app, parseAibotPayload(plaintext), 'callback', clock);
}
