import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import { WecomApiError } from '../wecom/errors';
import { KeyedWindows } from '../wecom/sliding-window';
import { kfErrcodes } from './errors';

/**
 * 微信客服 (WeChat customer service run by a WeCom corp): accounts, the customers who entered a session, the message
 * log sync_msg reads, and the reply window send_msg enforces.
 * https://developer.work.weixin.qq.com/document/path/94670 (sync_msg), 94677 (send_msg), 94665 (add_contact_way)
 */

export interface KfAccountInput {
  readonly corpId: string;
  readonly openKfId: string;
  readonly name: string;
  /** Where WeCom posts the kf_msg_or_event doorbell (微信客服 → API → 回调配置). */
  readonly callbackUrl?: string;
  /** Token and EncodingAESKey of the kf callback; default: the corp's. */
  readonly callbackToken?: string;
  readonly encodingAesKey?: string;
}

/** One entry of sync_msg's msg_list, exactly as WeCom answers it. */
export interface KfSyncedMessage {
  readonly msgid: string;
  readonly open_kfid: string;
  readonly external_userid?: string;
  /** Unix seconds. */
  readonly send_time: number;
  /** 3 customer, 4 system event, 5 servicer from the WeCom client. */
  readonly origin: 3 | 4 | 5;
  readonly msgtype: string;
  readonly text?: { readonly content: string; readonly menu_id?: string };
  readonly event?: Record<string, unknown>;
}

export interface KfReceived {
  readonly msgid: string;
  readonly openKfId: string;
  readonly msgtype: 'text' | 'msgmenu';
  readonly receivedAt: Date;
  readonly content?: string;
  readonly menu?: { readonly head?: string; readonly items: readonly { id: string; content: string }[]; readonly tail?: string };
}

export interface KfRefusal {
  readonly openKfId: string;
  readonly errcode: number;
  readonly at: Date;
}

interface ReplyWindow {
  lastCustomerMessageMs: number;
  sentSince: number;
}

interface Position {
  readonly corpId: string;
  readonly openKfId: string;
  /** Index into the corp's log: the next message to return. */
  readonly index: number;
}

// The customer's message opens a 48 h window with 5 replies; every new customer message resets both.
// https://developer.work.weixin.qq.com/document/path/94677
export const kfReplyWindowMs = 48 * 3_600_000;
export const kfRepliesPerCustomerMessage = 5;
// sync_msg reads only the last 3 days; the doorbell's token is valid 10 minutes. https://developer.work.weixin.qq.com/document/path/94670
export const kfHistoryMs = 3 * 24 * 3_600_000;
export const kfMsgTokenLifetimeMs = 10 * 60_000;
/** chosen: the doc says calls without token are "strictly" limited without a number; README.md names this one. */
export const kfTokenlessCallsPerMinute = 10;

const randomId = (prefix: string, bytes = 12) => `${prefix}${randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x')}`;

export class KfState {
  readonly accounts = new Map<string, KfAccountInput>();
  /** corpId → every message sync_msg may return, in arrival order. */
  private readonly logs = new Map<string, KfSyncedMessage[]>();
  /** `corpId\0wechatUser` → external_userid: one per WeChat user and corp, as WeCom assigns it. */
  readonly externalIds = new Map<string, string>();
  private readonly cursors = new Map<string, Position>();
  private readonly msgTokens = new Map<string, { openKfId: string; issuedMs: number }>();
  /** enc_scene of a contact link → its account and scene. */
  readonly scenes = new Map<string, { openKfId: string; scene: string }>();
  private readonly windows = new Map<string, ReplyWindow>();
  readonly inboxes = new Map<string, KfReceived[]>();
  readonly refusals = new Map<string, KfRefusal[]>();
  readonly tokenless = new KeyedWindows(60_000);

  constructor(private readonly clock: Clock) {}

  private nowMs() {
    return this.clock.now().getTime();
  }

  addAccount(input: KfAccountInput): void {
    if (!/^wk[A-Za-z0-9_-]{1,62}$/.test(input.openKfId)) throw new Error(`open_kfid ${input.openKfId} must look like wk…`);
    if (this.accounts.has(input.openKfId)) throw new Error(`kf account ${input.openKfId} already exists`);
    this.accounts.set(input.openKfId, input);
  }

  account(openKfId: unknown, corpId: string): KfAccountInput {
    const account = typeof openKfId === 'string' ? this.accounts.get(openKfId) : undefined;
    if (!account || account.corpId !== corpId) throw new WecomApiError(kfErrcodes.invalidOpenKfId);
    return account;
  }

  externalUserId(corpId: string, wechatUser: string): string {
    const key = `${corpId}\0${wechatUser}`;
    let id = this.externalIds.get(key);
    if (!id) {
      id = randomId('wm', 21);
      this.externalIds.set(key, id);
    }
    return id;
  }

  isCustomer(corpId: string, externalUserId: string): boolean {
    return [...this.externalIds.entries()].some(([key, id]) => id === externalUserId && key.startsWith(`${corpId}\0`));
  }

  /** Read-only: every message of the corp's log (what sync_msg may return), oldest first. */
  messages(corpId: string): readonly KfSyncedMessage[] {
    return [...(this.logs.get(corpId) ?? [])];
  }

  /** Appends a message to the log and hands out the doorbell token that announces it. */
  append(corpId: string, message: Omit<KfSyncedMessage, 'msgid' | 'send_time'>): { message: KfSyncedMessage; token: string } {
    const full: KfSyncedMessage = { msgid: randomId('', 16), send_time: Math.floor(this.nowMs() / 1000), ...message };
    const log = this.logs.get(corpId) ?? [];
    log.push(full);
    this.logs.set(corpId, log);
    if (full.origin === 3 && full.external_userid) {
      // Any customer message, a menu click included (it arrives as text), reopens the reply window.
      this.windows.set(`${full.open_kfid}\0${full.external_userid}`, { lastCustomerMessageMs: this.nowMs(), sentSince: 0 });
    }
    return { message: full, token: this.issueMsgToken(full.open_kfid) };
  }

  issueMsgToken(openKfId: string): string {
    const token = randomId('ENC', 33);
    this.msgTokens.set(token, { openKfId, issuedMs: this.nowMs() });
    return token;
  }

  /** POST /cgi-bin/kf/add_contact_way → the link a customer opens; callers append `&scene_param=`. */
  addContactWay(corpId: string, body: Record<string, unknown>): { url: string } {
    const account = this.account(body.open_kfid, corpId);
    const scene = body.scene ?? '';
    // scene: ≤32 bytes of [0-9a-zA-Z_-] (doc 94665).
    if (typeof scene !== 'string' || !/^[0-9a-zA-Z_-]{0,32}$/.test(scene)) throw new WecomApiError(kfErrcodes.invalidParameter, 'scene');
    const encScene = randomId('ENC', 24);
    this.scenes.set(encScene, { openKfId: account.openKfId, scene });
    return { url: `https://work.weixin.qq.com/kfid/kfc${account.openKfId.slice(2, 18)}?enc_scene=${encScene}` };
  }

  /**
   * POST /cgi-bin/kf/sync_msg {cursor, token, limit, voice_format, open_kfid}. The cursor is a position, not a
   * consumption: the same cursor returns the same page again, which is why callers must persist next_cursor.
   */
  syncMsg(corpId: string, body: Record<string, unknown>) {
    const account = this.account(body.open_kfid, corpId);
    const now = this.nowMs();
    const token = body.token;
    if (token !== undefined && token !== '') {
      const issued = typeof token === 'string' ? this.msgTokens.get(token) : undefined;
      if (!issued || issued.openKfId !== account.openKfId || now - issued.issuedMs > kfMsgTokenLifetimeMs) {
        throw new WecomApiError(kfErrcodes.invalidMsgToken);
      }
    } else {
      const window = this.tokenless.get(corpId);
      if (window.count(now) >= kfTokenlessCallsPerMinute) throw new WecomApiError(kfErrcodes.apiFreqOutOfLimit, 'sync_msg without token');
      window.record(now);
    }
    const limit = body.limit ?? 1000;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new WecomApiError(kfErrcodes.invalidParameter, 'limit must be 1..1000');
    }
    let start = 0;
    if (body.cursor !== undefined && body.cursor !== '') {
      const position = typeof body.cursor === 'string' ? this.cursors.get(body.cursor) : undefined;
      if (!position || position.corpId !== corpId || position.openKfId !== account.openKfId) throw new WecomApiError(kfErrcodes.invalidCursor);
      start = position.index;
    }
    const log = this.logs.get(corpId) ?? [];
    const oldestReadable = Math.floor((now - kfHistoryMs) / 1000);
    const page: KfSyncedMessage[] = [];
    let index = start;
    for (; index < log.length && page.length < limit; index++) {
      const message = log[index];
      if (message && message.open_kfid === account.openKfId && message.send_time >= oldestReadable) page.push(message);
    }
    // Skip over other accounts' messages so has_more means "there is something for you".
    let more = false;
    for (let i = index; i < log.length; i++) {
      const m = log[i];
      if (m && m.open_kfid === account.openKfId && m.send_time >= oldestReadable) {
        more = true;
        break;
      }
    }
    const nextCursor = randomId('', 12);
    this.cursors.set(nextCursor, { corpId, openKfId: account.openKfId, index });
    return { next_cursor: nextCursor, has_more: more ? 1 : 0, msg_list: page };
  }

  /** POST /cgi-bin/kf/send_msg: text and msgmenu, inside the 48 h / 5-message window. */
  sendMsg(corpId: string, body: Record<string, unknown>) {
    const account = this.account(body.open_kfid, corpId);
    const touser = body.touser;
    if (typeof touser !== 'string' || !this.isCustomer(corpId, touser)) throw new WecomApiError(kfErrcodes.invalidExternalUserId);
    const received = this.validate(body);
    const key = `${account.openKfId}\0${touser}`;
    const window = this.windows.get(key);
    const refuse = (errcode: number) => {
      const list = this.refusals.get(touser) ?? [];
      list.push({ openKfId: account.openKfId, errcode, at: this.clock.now() });
      this.refusals.set(touser, list);
      throw new WecomApiError(errcode);
    };
    if (!window || this.nowMs() - window.lastCustomerMessageMs > kfReplyWindowMs) refuse(kfErrcodes.sendTimeLimit);
    if (window && window.sentSince >= kfRepliesPerCustomerMessage) refuse(kfErrcodes.sendCountLimit);
    if (window) window.sentSince += 1;
    const msgid = typeof body.msgid === 'string' && body.msgid !== '' ? body.msgid : randomId('', 16);
    const list = this.inboxes.get(touser) ?? [];
    list.push({ msgid, openKfId: account.openKfId, receivedAt: this.clock.now(), ...received });
    this.inboxes.set(touser, list);
    return { msgid };
  }

  private validate(body: Record<string, unknown>): Pick<KfReceived, 'msgtype' | 'content' | 'menu'> {
    if (body.msgid !== undefined && (typeof body.msgid !== 'string' || !/^[0-9a-zA-Z_-]{0,32}$/.test(body.msgid))) {
      throw new WecomApiError(kfErrcodes.invalidParameter, 'msgid');
    }
    const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
    if (body.msgtype === 'text') {
      const content = (body.text as { content?: unknown } | undefined)?.content;
      if (typeof content !== 'string' || content === '') throw new WecomApiError(kfErrcodes.emptyContent);
      if (bytes(content) > 2048) throw new WecomApiError(kfErrcodes.contentTooLarge);
      return { msgtype: 'text', content };
    }
    if (body.msgtype === 'msgmenu') {
      const menu = body.msgmenu as { head_content?: unknown; list?: unknown; tail_content?: unknown } | undefined;
      const head = typeof menu?.head_content === 'string' ? menu.head_content : undefined;
      const tail = typeof menu?.tail_content === 'string' ? menu.tail_content : undefined;
      if ((head && bytes(head) > 1024) || (tail && bytes(tail) > 1024)) throw new WecomApiError(kfErrcodes.contentTooLarge);
      if (!Array.isArray(menu?.list) || menu.list.length === 0) throw new WecomApiError(kfErrcodes.invalidParameter, 'msgmenu.list');
      const items: { id: string; content: string }[] = [];
      for (const entry of menu.list as Record<string, unknown>[]) {
        if (entry.type !== 'click') throw new WecomApiError(kfErrcodes.invalidParameter, 'only click items are simulated');
        const click = entry.click as { id?: unknown; content?: unknown } | undefined;
        if (typeof click?.id !== 'string' || click.id === '' || bytes(click.id) > 64) throw new WecomApiError(kfErrcodes.invalidParameter, 'click.id');
        if (typeof click.content !== 'string' || click.content === '' || bytes(click.content) > 128) {
          throw new WecomApiError(kfErrcodes.invalidParameter, 'click.content');
        }
        items.push({ id: click.id, content: click.content });
      }
      if (items.length > 10) throw new WecomApiError(kfErrcodes.invalidParameter, 'at most 10 menu items');
      return { msgtype: 'msgmenu', menu: { items, ...(head && { head }), ...(tail && { tail }) } };
    }
    throw new WecomApiError(kfErrcodes.invalidMsgType);
  }
}
