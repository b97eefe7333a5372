import type { InboundEvent } from '../../features/inbox';
import type { PlatformApp } from '../../features/platform';
import type { Clock } from '../../ports/clock';
import { resolveSecretRef } from '../platform/secret-ref';
import { CallbackRejectedError, createCallbackCrypto, type CallbackCrypto, type SignedQuery } from './callback-crypto';
import { parseWecomXml, xmlText, XmlRejectedError, type XmlValue } from './xml';

/**
 * The WeCom self-built app callback, turned into a neutral inbound event.
 * https://developer.work.weixin.qq.com/document/path/90930 (接收消息与事件)
 */
export interface CallbackSecrets {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
}

export function callbackCryptoFor(app: PlatformApp, secrets: CallbackSecrets): CallbackCrypto {
  if (!app.callbackTokenRef || !app.encodingAesKeyRef) throw new CallbackRejectedError('signature', 'app has no callback configured');
  const options = { env: secrets.env, demoAllowed: app.tenantIsDemo };
  return createCallbackCrypto({
    token: resolveSecretRef(app.callbackTokenRef, options),
    encodingAesKey: resolveSecretRef(app.encodingAesKeyRef, options),
    receiveId: app.corpId,
    clock: secrets.clock,
  });
}

export function signedQueryOf(query: Record<string, string>): SignedQuery & { echostr?: string } {
  return {
    signature: query.msg_signature ?? '',
    timestamp: query.timestamp ?? '',
    nonce: query.nonce ?? '',
    ...(query.echostr !== undefined && { echostr: query.echostr }),
  };
}

/**
 * WeCom retries a callback it got no 200 for, and may deliver an event twice; the key names the event, not the
 * delivery. Messages carry MsgId. Card clicks have none: task + button + clicker identify the click. Other events:
 * type, the business ids they carry, the sender and CreateTime (WxJava's rule, which keeps distinct events apart).
 */
export function dedupeKeyOf(message: Record<string, XmlValue>): { kind: string; dedupeKey: string } {
  const msgType = xmlText(message, 'MsgType') ?? 'unknown';
  const from = xmlText(message, 'FromUserName') ?? '';
  const createTime = xmlText(message, 'CreateTime') ?? '';
  const msgId = xmlText(message, 'MsgId');
  if (msgType !== 'event') {
    return { kind: `message.${msgType}`, dedupeKey: msgId ? `msg:${msgId}` : `msg:${from}:${createTime}` };
  }
  const event = xmlText(message, 'Event') ?? 'unknown';
  if (event === 'template_card_event' || event === 'template_card_menu_event') {
    return { kind: `event.${event}`, dedupeKey: `card:${xmlText(message, 'TaskId') ?? ''}:${xmlText(message, 'EventKey') ?? ''}:${from}` };
  }
  // 微信客服's doorbell: each ring carries its own Token, a retry the same one; two rings in one second stay apart.
  // https://developer.work.weixin.qq.com/document/path/94670
  if (event === 'kf_msg_or_event') {
    return { kind: `event.${event}`, dedupeKey: `kf-doorbell:${xmlText(message, 'OpenKfId') ?? ''}:${xmlText(message, 'Token') ?? createTime}` };
  }
  const ids = ['ChangeType', 'UserID', 'Id', 'ExternalUserID', 'ChatId', 'EventKey', 'ScheduleId', 'CalId', 'SpNo']
    .map((k) => xmlText(message, k) ?? '')
    .join(':');
  return { kind: `event.${event}`, dedupeKey: `event:${event}:${ids}:${from}:${createTime}` };
}

/** Verifies and decrypts one POSTed callback body; throws CallbackRejectedError or XmlRejectedError. */
export function openAppCallback(app: PlatformApp, crypto: CallbackCrypto, query: SignedQuery, body: string): InboundEvent {
  const envelope = parseWecomXml(body);
  const encrypted = xmlText(envelope, 'Encrypt');
  if (!encrypted) throw new XmlRejectedError('no Encrypt element');
  const inner = parseWecomXml(crypto.open(query, encrypted));
  const agentId = xmlText(inner, 'AgentID');
  if (app.agentId && agentId && agentId !== app.agentId) throw new CallbackRejectedError('receive_id', 'AgentID is not this app');
  const { kind, dedupeKey } = dedupeKeyOf(inner);
  return { tenantId: app.tenantId, appId: app.id, kind, dedupeKey, payload: inner };
}
