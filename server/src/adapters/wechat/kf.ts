import { randomUUID } from 'node:crypto';
import type { FeatureContext } from '../../features/context';
import type { InboxHandler } from '../../features/inbox';
import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../ports/outbound-sender';
import { SecretUnavailableError } from '../platform/secret-ref';
import type { TokenCache } from '../postgres/token-cache';
import { WecomApiError, type WecomApi } from '../wecom/api-client';
import { clientCache, createKfApi } from './wechat-api';

/**
 * 微信客服 (kf): contact links that identify the candidate, the doorbell → sync_msg pull, and replies inside the
 * 48 h / 5-message window.
 * https://developer.work.weixin.qq.com/document/path/94665 (add_contact_way), 94670 (sync_msg), 94677 (send_msg)
 */

export interface KfDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly tokens: TokenCache;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

export function kfClients(deps: KfDeps): (app: PlatformApp) => WecomApi {
  return clientCache((app) => createKfApi({ app, ...deps }));
}

/** The doorbell token lifts sync_msg's strict rate limit for 10 minutes; past that the call goes without it. */
const msgTokenUsableMs = 9 * 60_000;
/** A doorbell never pages forever: what is left is fetched by the next doorbell, from the saved cursor. */
const maxPagesPerDoorbell = 50;
/** "发送客服消息次数限制" / "发送客服消息时间限制": the window is closed until the candidate writes again. */
const windowErrcodes = new Set([95001, 95002]);
/** Invalid msg token (chosen in the simulator; see its README); the call is repeated without it. */
const invalidMsgToken = 95007;

/** For `wecom_kf` platform apps, `agent_id` names the 微信客服 account (open_kfid) links point to. */
export function openKfIdOf(app: PlatformApp): string {
  if (app.kind !== 'wecom_kf' || !app.agentId) throw new Error(`platform app ${app.id} names no 微信客服 account (open_kfid in agent_id)`);
  return app.agentId;
}

/**
 * A link for one candidate: add_contact_way gives the account's URL, `scene_param` (≤128 bytes urlencoded) carries
 * an invitation id that the enter_session event echoes back, which binds the WeChat user to the candidate.
 */
export async function createKfContactLink(
  ctx: FeatureContext,
  kf: (app: PlatformApp) => WecomApi,
  input: { tenantId: string; candidateId: string },
): Promise<{ url: string; invitationId: string }> {
  const app = await ctx.stores.platform.findAppOfKind(input.tenantId, 'wecom_kf');
  if (!app) throw new Error('tenant has no 微信客服 app connected');
  const openKfId = openKfIdOf(app);
  const invitationId = randomUUID();
  const sceneParam = encodeURIComponent(invitationId);
  if (Buffer.byteLength(sceneParam) > 128) throw new Error('scene_param longer than 128 bytes');
  const answer = await kf(app).post<{ url?: string }>('/cgi-bin/kf/add_contact_way', { open_kfid: openKfId, scene: 'hb_invite' });
  if (!answer.url) throw new Error('add_contact_way answered no url');
  const url = `${answer.url}${answer.url.includes('?') ? '&' : '?'}scene_param=${sceneParam}`;
  await ctx.stores.candidateChannels.insertKfInvitation({ id: invitationId, tenantId: input.tenantId, candidateId: input.candidateId, kfAppId: app.id, openKfId, url });
  return { url, invitationId };
}

interface SyncedMessage {
  msgid: string;
  open_kfid: string;
  external_userid?: string;
  send_time: number;
  origin: number;
  msgtype: string;
  text?: { content?: string; menu_id?: string };
  event?: { event_type?: string; external_userid?: string; scene_param?: string; [key: string]: unknown };
  [key: string]: unknown;
}

interface SyncAnswer {
  [key: string]: unknown;
  next_cursor?: string;
  has_more?: number;
  msg_list?: SyncedMessage[];
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Handles inbox events `event.kf_msg_or_event`. Runs in the inbox transaction: the cursor row is locked (one sync
 * per account at a time), each msgid is recorded once, every customer message becomes its own inbox event
 * (`kf.text`, `kf.menu_click`, `kf.enter_session`, `kf.<msgtype>`), and the new cursor is saved — all committed with
 * the doorbell's done-mark, or none of it.
 */
export function kfDoorbellHandler(kf: (app: PlatformApp) => WecomApi, options: { readonly pageSize?: number } = {}): InboxHandler {
  const pageSize = options.pageSize ?? 1000;
  return async (event, ctx) => {
    const app = await ctx.stores.platform.findApp(event.appId);
    if (!app || app.kind !== 'wecom_kf') throw new Error(`kf doorbell for an app that is not 微信客服: ${event.appId}`);
    const openKfId = typeof event.payload.OpenKfId === 'string' ? event.payload.OpenKfId : openKfIdOf(app);
    const channels = ctx.stores.candidateChannels;
    // The token's 10 minutes run from the ring (CreateTime, WeCom's clock), not from when we got to it.
    const rungAtMs = Number(event.payload.CreateTime) * 1000 || event.receivedAt.getTime();
    let token = typeof event.payload.Token === 'string' && ctx.clock.now().getTime() - rungAtMs < msgTokenUsableMs ? event.payload.Token : undefined;
    let cursor = await channels.lockKfCursor(app.id, openKfId);
    for (let page = 0; page < maxPagesPerDoorbell; page++) {
      let answer: SyncAnswer;
      try {
        answer = await kf(app).post<SyncAnswer>('/cgi-bin/kf/sync_msg', { cursor, limit: pageSize, open_kfid: openKfId, ...(token && { token }) });
      } catch (error) {
        if (error instanceof WecomApiError && error.errcode === invalidMsgToken && token) {
          token = undefined;
          page--;
          continue;
        }
        throw error;
      }
      for (const message of answer.msg_list ?? []) await handleSynced(ctx, app, message);
      if (answer.next_cursor) {
        cursor = answer.next_cursor;
        await channels.saveKfCursor(app.id, openKfId, cursor, ctx.clock.now());
      }
      if (!answer.has_more) return;
    }
  };
}

async function handleSynced(ctx: FeatureContext, app: PlatformApp, message: SyncedMessage): Promise<void> {
  const channels = ctx.stores.candidateChannels;
  const now = ctx.clock.now();
  if (!(await channels.markKfMessageProcessed(app.id, message.msgid, now))) return;
  const sentAt = new Date(message.send_time * 1000);
  const base = { msgid: message.msgid, openKfId: message.open_kfid, sentAt: sentAt.toISOString() };
  const accept = (kind: string, payload: Record<string, unknown>) =>
    ctx.stores.inbox.accept({ tenantId: app.tenantId, appId: app.id, dedupeKey: `kf:${message.msgid}`, kind, payload: { ...base, ...payload } });

  if (message.msgtype === 'event') {
    const ev = message.event ?? {};
    if (ev.event_type === 'enter_session' && typeof ev.external_userid === 'string') {
      const invitationId = typeof ev.scene_param === 'string' && uuidPattern.test(ev.scene_param) ? ev.scene_param : undefined;
      const invitation = invitationId ? await channels.findKfInvitation(invitationId) : undefined;
      const candidateId = invitation && invitation.kfAppId === app.id ? invitation.candidateId : null;
      if (invitation && candidateId) {
        await channels.linkKfContact(invitation.tenantId, candidateId, { appId: app.id, openKfId: message.open_kfid, externalUserId: ev.external_userid }, now, invitation.id);
      }
      await accept('kf.enter_session', { externalUserId: ev.external_userid, candidateId, invitationId: invitationId ?? null });
      return;
    }
    await accept(`kf.event.${String(ev.event_type ?? 'unknown')}`, { event: ev });
    return;
  }
  // origin 3 = the customer; 5 = a servicer writing from the WeCom client (not the candidate: no window change).
  const externalUserId = message.external_userid ?? null;
  const linked = message.origin === 3 && externalUserId ? await channels.recordKfCustomerMessage(app.id, externalUserId, sentAt) : undefined;
  const candidateId = linked?.candidateId ?? null;
  if (message.msgtype === 'text') {
    const content = message.text?.content ?? '';
    const menuId = message.text?.menu_id;
    if (menuId) await accept('kf.menu_click', { externalUserId, candidateId, menuId, content, origin: message.origin });
    else await accept('kf.text', { externalUserId, candidateId, content, origin: message.origin });
    return;
  }
  await accept(`kf.${message.msgtype}`, { externalUserId, candidateId, origin: message.origin, message });
}

/**
 * Channel `kf`: recipient is the candidate id, payload a send_msg body without touser/open_kfid (text or msgmenu).
 * The reply is taken out of the stored window first (atomically), so the platform is never asked for a send it
 * would refuse; a closed window is a non-retryable failure so the messenger falls back to the next channel.
 */
export function kfSender(deps: KfDeps & { readonly features: FeatureContext; readonly kf?: (app: PlatformApp) => WecomApi }): OutboundSender {
  const kf = deps.kf ?? kfClients(deps);
  return {
    async send(message: OutboundMessage) {
      const { features } = deps;
      const channels = features.stores.candidateChannels;
      const reservation = await channels.reserveKfReply(message.tenantId, message.recipient, features.clock.now());
      if (!reservation.ok) throw new SendFailedError(`微信客服无法回复：${reservation.reason}`, false, reservation.reason);
      const { link } = reservation;
      try {
        const app = await features.stores.platform.findApp(link.appId);
        if (!app) throw new SendFailedError('微信客服 app is gone', false, 'no_app');
        const answer = await kf(app).post<{ msgid?: string }>('/cgi-bin/kf/send_msg', { ...message.payload, touser: link.externalUserId, open_kfid: link.openKfId });
        return { receipt: { channel: 'kf', msgid: answer.msgid ?? null, externalUserId: link.externalUserId } };
      } catch (error) {
        if (error instanceof WecomApiError && windowErrcodes.has(error.errcode)) {
          await channels.closeKfWindow(message.tenantId, message.recipient);
          throw new SendFailedError(error.message, false, String(error.errcode));
        }
        await channels.releaseKfReply(message.tenantId, message.recipient);
        if (error instanceof WecomApiError) throw new SendFailedError(error.message, error.retryable, String(error.errcode));
        if (error instanceof SecretUnavailableError) throw new SendFailedError(error.message, false, 'no_secret');
        throw error;
      }
    },
  };
}
