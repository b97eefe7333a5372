import { randomInt } from 'node:crypto';
import type { Server } from 'node:http';
import type { Router } from '@koa/router';
import type { Clock } from '../clock';
import type { DeliveryAttempt, DeliveryReport, UrlVerification } from '../wecom/callbacks';
import { type OpenedReply, openReply, sealCallback, sealEchostr } from './envelope';
import { AibotLongConnections, type PushInput, type PushedCallback, longConnectionPath } from './long-connection';
import { aibotRouter, buttonsOf } from './routes';
import { type AibotConfig, AibotState, type BotPost, aibotLimits, chatKeyOf, newMsgId } from './state';

export interface AibotTiming {
  /** WeCom gives up on an answer after 5 s and retries (same rule as app callbacks); tests lower it. */
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryIntervalMs: number;
  /** The URL check must be answered within 1 s. */
  readonly verifyTimeoutMs: number;
  /** Pause between two "stream refresh" callbacks while a stream is open (WeCom does not document its cadence). */
  readonly streamRefreshIntervalMs: number;
  /** Refresh callbacks per message at most; WeCom also stops 6 minutes (sim clock) after the user's message. */
  readonly maxStreamRefreshes: number;
}

export const defaultAibotTiming: AibotTiming = {
  timeoutMs: 5000,
  retries: 3,
  retryIntervalMs: 3000,
  verifyTimeoutMs: 1000,
  streamRefreshIntervalMs: 1000,
  maxStreamRefreshes: 360,
};

export interface StreamState {
  readonly id: string;
  readonly finished: boolean;
  readonly content: string;
}

/** One user message in callback mode, from the first POST to the last stream refresh. */
export interface Conversation {
  readonly msgid: string;
  readonly responseUrl: string;
  readonly payload: Record<string, unknown>;
  readonly delivery: DeliveryReport;
  /** Every passive reply in order: the answer to the message, then to each refresh. */
  readonly replies: OpenedReply[];
  readonly refreshes: number;
  readonly stream?: StreamState;
}

export interface MentionInput {
  readonly botId: string;
  readonly userid: string;
  /** Omitted for a 1:1 chat. */
  readonly chatId?: string;
  readonly text: string;
  readonly msgid?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function attemptOnce(url: string, init: RequestInit, timeoutMs: number) {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return { status: response.status, body, latencyMs: performance.now() - started };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    return { error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : String(error), latencyMs: performance.now() - started };
  }
}

function withQuery(url: string, params: Record<string, string>): string {
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

function streamOf(reply: OpenedReply | undefined): { id: string; finish: boolean; content: string } | undefined {
  if (!reply?.ok || typeof reply.json !== 'object' || reply.json === null) return undefined;
  const json = reply.json as { msgtype?: unknown; stream?: { id?: unknown; finish?: unknown; content?: unknown } };
  if ((json.msgtype !== 'stream' && json.msgtype !== 'stream_with_template_card') || typeof json.stream?.id !== 'string') return undefined;
  return { id: json.stream.id, finish: json.stream.finish === true, content: typeof json.stream.content === 'string' ? json.stream.content : '' };
}

/**
 * `sim.aibot`: the WeCom 智能机器人 (AI bot) in both of its modes — callback (API) mode, where WeCom POSTs encrypted
 * JSON to the bot's URL and reads encrypted passive replies, and long-connection mode over a WebSocket — plus the
 * one-shot response_url.
 * https://developer.work.weixin.qq.com/document/path/100719 (接收消息), 101031 (被动回复), 101138 (response_url),
 * 101463 (长连接)
 */
export class AibotSimulator {
  readonly state: AibotState;
  readonly timing: AibotTiming;
  readonly router: Router;
  readonly longConnections: AibotLongConnections;
  readonly conversations: Conversation[] = [];
  private url = '';

  constructor(
    private readonly clock: Clock,
    timing: Partial<AibotTiming> = {},
  ) {
    this.state = new AibotState(clock);
    this.timing = { ...defaultAibotTiming, ...timing };
    this.router = aibotRouter(this.state);
    this.longConnections = new AibotLongConnections(this.state);
  }

  /** Called by startSimulator once it listens. */
  attach(server: Server, baseUrl: string): void {
    this.url = baseUrl;
    this.state.baseUrl = baseUrl;
    this.longConnections.attach(server);
  }

  /** Where the SDK must connect instead of wss://openws.work.weixin.qq.com (its `wsUrl` option). */
  get wsUrl(): string {
    return `${this.url.replace(/^http/, 'ws')}${longConnectionPath}`;
  }

  addBot(config: AibotConfig): void {
    if (this.state.bots.has(config.botId)) throw new Error(`AI bot ${config.botId} already exists`);
    if (config.encodingAesKey !== undefined && !/^[A-Za-z0-9]{43}$/.test(config.encodingAesKey)) {
      throw new Error('encodingAesKey must be 43 letters/digits');
    }
    this.state.bots.set(config.botId, { ...config });
  }

  /** Declares a group chat, so that proactive pushes to its chatid land in the group rather than a 1:1 chat. */
  addGroup(chatId: string): void {
    this.state.groups.add(chatId);
  }

  private callbackKeys(botId: string) {
    const bot = this.state.bot(botId);
    if (!bot.token || !bot.encodingAesKey || !bot.callbackUrl) throw new Error(`AI bot ${botId} has no callback (API mode) configured`);
    return { bot, keys: { token: bot.token, encodingAesKey: bot.encodingAesKey }, url: bot.callbackUrl };
  }

  /**
   * POSTs one encrypted payload with WeCom's retries: no answer within the timeout, or a non-200, is retried.
   * `tamper` lets tests send what an attacker would.
   */
  async deliver(botId: string, payload: unknown, tamper: { receiveId?: string; signature?: string; timestampSkewMs?: number } = {}): Promise<DeliveryReport> {
    const { keys, url } = this.callbackKeys(botId);
    const plaintext = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const sealed = sealCallback(keys, plaintext, this.state.nowMs() + (tamper.timestampSkewMs ?? 0), tamper.receiveId);
    const query = { ...sealed.query, ...(tamper.signature === undefined ? {} : { msg_signature: tamper.signature }) };
    const attempts: DeliveryAttempt[] = [];
    for (let attempt = 1; attempt <= this.timing.retries + 1; attempt += 1) {
      if (attempt > 1) await sleep(this.timing.retryIntervalMs);
      const result = await attemptOnce(
        withQuery(url, query),
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: sealed.body },
        this.timing.timeoutMs,
      );
      attempts.push({
        attempt,
        latencyMs: Math.round(result.latencyMs),
        ...(result.status === undefined ? {} : { status: result.status }),
        ...(result.error === undefined ? {} : { error: result.error }),
      });
      if (result.status === 200) return { ok: true, attempts, reply: result.body };
    }
    return { ok: false, attempts };
  }

  /**
   * A member @-mentions the bot in a group (chatId given) or writes to it 1:1: the message callback, then — while
   * the bot's passive reply is an unfinished stream — "stream refresh" callbacks until it says `finish: true`, the
   * refresh cap is reached or 6 minutes (sim clock) have passed since the message.
   */
  async mention(input: MentionInput): Promise<Conversation> {
    const { bot, keys } = this.callbackKeys(input.botId);
    const chatType = input.chatId ? 'group' : 'single';
    if (input.chatId) this.state.groups.add(input.chatId);
    const chatKey = chatKeyOf(chatType, input.chatId, input.userid);
    const msgid = input.msgid ?? newMsgId();
    const responseUrl = this.state.issueResponseUrl(bot.botId, chatKey);
    const startedMs = this.state.nowMs();
    const common = { aibotid: bot.botId, ...(input.chatId ? { chatid: input.chatId } : {}), chattype: chatType, from: { userid: input.userid } };
    // In a group the content carries the mention: "@<bot name> <text>" (doc 100719: text.content 含 @机器人).
    const content = input.chatId ? `@${bot.name ?? '招聘助手'} ${input.text}` : input.text;
    const payload = { msgid, ...common, response_url: responseUrl, msgtype: 'text', text: { content } };
    const delivery = await this.deliver(bot.botId, payload);
    const replies: OpenedReply[] = [];
    let refreshes = 0;
    let stream: StreamState | undefined;
    const take = (body: string | undefined) => {
      const opened = body === undefined ? undefined : openReply(keys, body);
      if (opened) replies.push(opened);
      const next = streamOf(opened);
      if (next && (!stream || next.id === stream.id)) stream = { id: next.id, finished: next.finish, content: next.content };
      return next;
    };
    if (delivery.ok) take(delivery.reply);
    while (stream && !stream.finished && refreshes < this.timing.maxStreamRefreshes && this.state.nowMs() - startedMs < aibotLimits.streamWindowMs) {
      await sleep(this.timing.streamRefreshIntervalMs);
      refreshes += 1;
      const refresh = await this.deliver(bot.botId, { msgid: newMsgId(), ...common, msgtype: 'stream', stream: { id: stream.id } });
      if (!refresh.ok) continue;
      take(refresh.reply);
    }
    if (stream?.finished) this.state.post({ botId: bot.botId, chatKey, via: 'stream', msgtype: 'stream', content: stream.content, body: { stream } });
    const conversation: Conversation = { msgid, responseUrl, payload, delivery, replies, refreshes, ...(stream ? { stream } : {}) };
    this.conversations.push(conversation);
    return conversation;
  }

  /**
   * The newest button card shown in a chat with a button matching `button` (its key, or its text), or undefined.
   * Only what the chat shows can be clicked.
   */
  findButton(chatKey: string, button: { key?: string; text?: string }): { botId: string; taskId: string; text: string; key: string } | undefined {
    for (const post of [...this.chat(chatKey)].reverse()) {
      const card = buttonsOf(post.body);
      const hit = card?.buttons.find((b) => (button.key === undefined || b.key === button.key) && (button.text === undefined || b.text === button.text));
      if (card && hit) return { botId: post.botId, taskId: card.taskId, text: hit.text, key: hit.key };
    }
    return undefined;
  }

  /**
   * A member clicks a button of a card the bot posted in a group (chatId) or 1:1: WeCom's `template_card_event`
   * (doc 101027: `event.template_card_event.{card_type, event_key, task_id}`), as an encrypted callback with a fresh
   * response_url in callback mode, else over the long connection. Throws when the chat shows no such button.
   */
  async clickButton(input: { userid: string; chatId?: string; key?: string; text?: string; msgid?: string }): Promise<{ msgid: string; responseUrl?: string; delivery?: DeliveryReport; pushed?: PushedCallback }> {
    const chatType = input.chatId ? 'group' : 'single';
    const chatKey = chatKeyOf(chatType, input.chatId, input.userid);
    const button = this.findButton(chatKey, { ...(input.key === undefined ? {} : { key: input.key }), ...(input.text === undefined ? {} : { text: input.text }) });
    if (!button) throw new Error(`no such button in chat ${chatKey}`);
    const msgid = input.msgid ?? newMsgId();
    const event = { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: button.key, task_id: button.taskId } };
    const bot = this.state.bot(button.botId);
    if (bot.callbackUrl && bot.token && bot.encodingAesKey) {
      const responseUrl = this.state.issueResponseUrl(bot.botId, chatKey);
      const payload = {
        msgid, create_time: Math.floor(this.state.nowMs() / 1000), aibotid: bot.botId, ...(input.chatId ? { chatid: input.chatId } : {}), chattype: chatType,
        from: { userid: input.userid }, msgtype: 'event', response_url: responseUrl, event,
      };
      return { msgid, responseUrl, delivery: await this.deliver(bot.botId, payload) };
    }
    const pushed = this.longConnections.pushEvent(bot.botId, { userid: input.userid, ...(input.chatId ? { chatId: input.chatId } : {}), event, msgid });
    return { msgid, pushed };
  }

  /** WeCom's GET check of the bot's callback URL: passes only on the bare plaintext within 1 s. */
  async verifyCallbackUrl(botId: string): Promise<UrlVerification> {
    const { keys, url } = this.callbackKeys(botId);
    const plaintext = String(randomInt(1, 2 ** 47));
    const query = sealEchostr(keys, plaintext, this.state.nowMs());
    const result = await attemptOnce(withQuery(url, query), { method: 'GET' }, this.timing.verifyTimeoutMs);
    return {
      ok: result.status === 200 && result.body === plaintext,
      expected: plaintext,
      latencyMs: Math.round(result.latencyMs),
      ...(result.status === undefined ? {} : { status: result.status }),
      ...(result.body === undefined ? {} : { body: result.body }),
      ...(result.error === undefined ? {} : { error: result.error }),
    };
  }

  // ---- long-connection mode ----

  isConnected(botId: string): boolean {
    return this.longConnections.isConnected(botId);
  }

  /** Successful subscriptions of the bot so far (a reconnect adds one). */
  authentications(botId: string): number {
    return this.longConnections.authentications.get(botId) ?? 0;
  }

  heartbeats(botId: string): number {
    return this.longConnections.heartbeats.get(botId) ?? 0;
  }

  /** A member's message over the long connection (`aibot_msg_callback`). */
  push(botId: string, input: PushInput): PushedCallback {
    return this.longConnections.pushMessage(botId, input);
  }

  pushEvent(botId: string, input: Parameters<AibotLongConnections['pushEvent']>[1]): PushedCallback {
    return this.longConnections.pushEvent(botId, input);
  }

  /** Cuts the bot's socket without a close frame. */
  dropConnection(botId: string): boolean {
    return this.longConnections.drop(botId);
  }

  callback(reqId: string): PushedCallback | undefined {
    return this.longConnections.callbacks.get(reqId);
  }

  /** Resolves once `check` holds, polling; rejects after `timeoutMs`. */
  async waitFor<T>(check: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      if (performance.now() > deadline) throw new Error('waitFor: condition not met in time');
      await sleep(10);
    }
  }

  // ---- what the chats show ----

  /** Messages the bot posted into a group (chatid) or a member's 1:1 chat (`single:<userid>`), oldest first. */
  chat(chatKey: string): BotPost[] {
    return this.state.posts.filter((p) => p.chatKey === chatKey);
  }

  posts(botId?: string): BotPost[] {
    return this.state.posts.filter((p) => botId === undefined || p.botId === botId);
  }

  /** How a response_url was used: when, and how many POSTs were refused. */
  responseUrlUse(responseUrl: string) {
    const code = new URL(responseUrl).searchParams.get('response_code') ?? '';
    const record = this.state.responseUrls.get(code);
    return record ? { used: record.usedAtMs !== undefined, refusals: record.refusals } : undefined;
  }

  close(): Promise<void> {
    return this.longConnections.close();
  }
}
