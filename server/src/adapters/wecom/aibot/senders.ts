import type { PlatformApp } from '../../../features/platform';
import type { Clock } from '../../../ports/clock';
import { groupMessageCaps } from '../../../ports/group-notifier';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../../ports/outbound-sender';
import { aibotBody, groupMessageOf } from '../group-message';
import type { AibotLongConnection } from './long-connection';

/** Busy or throttled: the request was not consumed and trying later can succeed. */
const retryableErrcodes = new Set([-1, 45009, 45033]);

/**
 * Channel `wecom_aibot_reply`: the answer to one AI-bot message through its response_url (recipient). WeCom accepts
 * one POST per URL within an hour, so the sender never retries a refusal: an expired handle is dead without a
 * request, and any errcode other than busy/throttled (the URL used or expired) is final. The URL must point at the
 * tenant's WeCom API host — a stored URL cannot make the server POST anywhere else.
 * https://developer.work.weixin.qq.com/document/path/101138
 */
export function wecomAibotReplySender(deps: {
  findApp(tenantId: string): Promise<PlatformApp | undefined>;
  clock: Clock;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): OutboundSender {
  const doFetch = deps.fetch ?? fetch;
  return {
    async send(message: OutboundMessage) {
      const app = await deps.findApp(message.tenantId);
      if (!app) throw new SendFailedError('tenant has no WeCom AI bot configured', false, 'no_app');
      let url: URL;
      try {
        url = new URL(message.recipient);
      } catch {
        throw new SendFailedError('response_url is not a URL', false, 'bad_url');
      }
      if (url.origin !== new URL(app.apiBaseUrl).origin) throw new SendFailedError('response_url is not on the WeCom API host', false, 'foreign_url');
      const expiresAt = typeof message.payload.expiresAt === 'string' ? Date.parse(message.payload.expiresAt) : Number.NaN;
      if (!Number.isNaN(expiresAt) && deps.clock.now().getTime() >= expiresAt) throw new SendFailedError('response_url expired', false, 'expired');
      const body = aibotBody(groupMessageOf(message.payload));
      let answer: { errcode?: number };
      try {
        const response = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
        });
        if (!response.ok) throw new SendFailedError(`response_url answered HTTP ${response.status}`, true, 'http');
        answer = (await response.json()) as typeof answer;
      } catch (error) {
        if (error instanceof SendFailedError) throw error;
        // If the POST did arrive, the retry meets "already used" and ends as dead: one message, never two.
        throw new SendFailedError(`response_url unreachable: ${(error as Error).name}`, true, 'network');
      }
      const errcode = answer.errcode ?? -1;
      if (errcode !== 0) throw new SendFailedError(`response_url refused: errcode ${errcode}`, retryableErrcodes.has(errcode), String(errcode));
      return { receipt: { via: 'response_url' } };
    },
  };
}

/**
 * Channel `wecom_aibot_push`: a proactive message (`aibot_send_msg`) from the tenant's AI bot over its long
 * connection, to a group chatid or a member's userid (recipient); an image is uploaded as temporary media first. No connection yet is retryable; a refusal by
 * WeCom is not, unless it says busy or throttled.
 * https://developer.work.weixin.qq.com/document/path/101463
 */
export function wecomAibotPushSender(deps: { connectionFor(tenantId: string): AibotLongConnection | undefined }): OutboundSender {
  return {
    async send(message: OutboundMessage) {
      const connection = deps.connectionFor(message.tenantId);
      if (!connection) throw new SendFailedError('tenant has no AI-bot long connection', false, 'no_connection');
      if (!connection.isConnected()) throw new SendFailedError('AI-bot long connection is down', true, 'disconnected');
      const group = groupMessageOf(message.payload);
      const png = group.kind === 'image' ? Buffer.from(group.pngBase64, 'base64') : undefined;
      try {
        // An image goes as one (upload, then send its media_id) within the 2 MB cap; beyond it, it is announced.
        if (png && png.length <= groupMessageCaps.maxImageBytes) await connection.sendImage(message.recipient, png, 'chart.png');
        else await connection.sendMessage(message.recipient, aibotBody(group));
      } catch (error) {
        const errcode = (error as { errcode?: unknown }).errcode;
        if (typeof errcode === 'number') throw new SendFailedError(`aibot_send_msg refused: errcode ${errcode}`, retryableErrcodes.has(errcode), String(errcode));
        // Ack timeout or a socket closed under the frame: the platform may not have it.
        throw new SendFailedError(`aibot_send_msg failed: ${(error as Error).message}`, true, 'transport');
      }
      return { receipt: { via: 'aibot_send_msg' } };
    },
  };
}
