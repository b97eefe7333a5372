import { DWClient, EventAck, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import WebSocket from 'ws';
import type { InboundEvent } from '../../features/inbox';
import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { dingtalkCardClickKind, spaceOfChatRef } from '../../ports/dingtalk-card';
import { type DingtalkCredentials, dingtalkCredentialsOf } from './app-identity';
import { cardClickDedupeKey, dingtalkCardTopic, parseCardCallback } from './card-template';

/**
 * Our DingTalk Stream-mode client (https://open.dingtalk.com/document/orgapp/stream), built on `dingtalk-stream`
 * 2.1.5's DWClient for the frame protocol (frame dispatch, ping answers, CALLBACK listeners, ack format) but with:
 * - `autoReconnect` off and our own reconnect: one timer, exponential backoff with jitter, never two sockets at once.
 *   The SDK's own reconnect schedules `connect()` from both the handshake `error` path and the `close` handler, so a
 *   failed handshake doubles the connections on every round (see the SDK repo's README/test on reconnects);
 * - a configurable gateway URL (the SDK hard-codes https://api.dingtalk.com), so tests reach the simulator;
 * - every robot message and event stored in the inbox *before* it is acknowledged. DingTalk pushes an un-acked
 *   message again after about 60 s, so a message we could not store is not lost: we simply do not ack it.
 *   Acking first and storing later would lose it on a crash (pitfall: ack only after the durable write).
 * - interactive-card clicks (CALLBACK topic `/v1.0/card/instances/callback`, card-template.ts) stored the same way
 *   as inbox kind `card.dingtalk_callback`, deduplicated by card + person + button, then acknowledged with an empty
 *   callback response (a card of alternatives is updated for everyone once a click was acted on, through the outbox).
 *   A click claiming a 1:1 card (`hbChat` "single:<userId>") of anyone but the clicker is acknowledged and dropped
 *   here already; the params are the clicker's to write, so the feature (dingtalk-card-actions.ts) acts only in the
 *   chat the server really delivered the card to and drops any other claim.
 * Frame format: https://open.dingtalk.com/document/direct-connection/stream-protocol
 */
export interface StreamBackoff {
  readonly baseMs: number;
  readonly maxMs: number;
  /** A connection that stayed up this long resets the backoff; shorter ones count as failures. */
  readonly stableMs: number;
}

export const defaultStreamBackoff: StreamBackoff = { baseMs: 1_000, maxMs: 60_000, stableMs: 30_000 };

export interface StreamConnectionOptions {
  readonly app: PlatformApp;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `acceptInboundEvent` bound to a FeatureContext: the durable, deduplicating insert. */
  readonly accept: (event: InboundEvent) => Promise<{ inserted: boolean }>;
  readonly log: Logger;
  /** Defaults to `<app.apiBaseUrl>/v1.0/gateway/connections/open`. */
  readonly gatewayUrl?: string;
  readonly backoff?: Partial<StreamBackoff>;
  /** The SDK's 8 s ws ping watchdog: a silent half-open socket is terminated and then reconnected by us. */
  readonly keepAlive?: boolean;
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
  /** Monotonic milliseconds, for connection lifetimes. */
  readonly monotonicNow?: () => number;
}

export type StreamState = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped';

interface ClientHooks {
  readonly gatewayUrl: string;
  readonly fetch: typeof fetch;
  readonly onEventFrame: (client: HireBridgeDWClient, frame: DWClientDownStream) => void;
  readonly onDisconnectFrame: (client: HireBridgeDWClient) => void;
}

/** The SDK's heartbeat period: a socket that answered no ws ping within it is dead. */
const heartbeatMs = 8_000;

/**
 * DWClient with the gateway URL configurable, events acked only after storing, `disconnect` frames reported, and a
 * socket opener that writes nothing to the console (the SDK's prints unstructured lines to stdout, next to our JSON
 * logs) and never reconnects by itself.
 */
class HireBridgeDWClient extends DWClient {
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private alive = true;

  constructor(
    credentials: DingtalkCredentials,
    private readonly keepAliveOn: boolean,
    private readonly hooks: ClientHooks,
  ) {
    super({ clientId: credentials.appKey, clientSecret: credentials.appSecret, ua: 'hirebridge', keepAlive: false });
    // Not a constructor option in the SDK's types, but read from config at runtime; our _connect ignores it anyway.
    this.config.autoReconnect = false;
  }

  /** Opens `endpoint?ticket=`; resolves on open, rejects on a failed handshake. Frames go to the SDK's dispatcher. */
  override _connect(): Promise<void> {
    const url = (this as unknown as { dw_url?: string }).dw_url;
    if (!url) return Promise.reject(new Error('no stream endpoint: getEndpoint() first'));
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      // The SDK's send(), socketCallBackResponse() and ping answers write to this (private) field.
      (this as unknown as { socket?: WebSocket }).socket = socket;
      let opened = false;
      socket.on('open', () => {
        opened = true;
        this.connected = true;
        if (this.keepAliveOn) this.startHeartbeat(socket);
        resolve();
      });
      socket.on('pong', () => {
        this.alive = true;
      });
      socket.on('message', (data: WebSocket.RawData) => this.onDownStream(data.toString()));
      socket.on('close', () => {
        this.connected = false;
        this.registered = false;
        this.stopHeartbeat();
      });
      socket.on('error', (error) => {
        if (!opened) reject(error);
        socket.terminate();
      });
    });
  }

  private startHeartbeat(socket: WebSocket): void {
    this.alive = true;
    this.heartbeatTimer = setInterval(() => {
      if (!this.alive) {
        socket.terminate();
        return;
      }
      this.alive = false;
      socket.ping();
    }, heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** Closes the socket without the SDK's console output. */
  close(): void {
    this.stopHeartbeat();
    const socket = this.rawSocket;
    if (socket && socket.readyState !== WebSocket.CLOSED) socket.close();
  }

  /** Same request as the SDK's getEndpoint, to a configurable URL. */
  override async getEndpoint(): Promise<this> {
    const response = await this.hooks.fetch(this.hooks.gatewayUrl, {
      method: 'POST',
      // Without Accept: application/json the gateway answers XML.
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ clientId: this.config.clientId, clientSecret: this.config.clientSecret, ua: this.config.ua, subscriptions: this.config.subscriptions }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`stream gateway answered HTTP ${response.status}`);
    const answer = (await response.json()) as { endpoint?: unknown; ticket?: unknown };
    if (typeof answer.endpoint !== 'string' || typeof answer.ticket !== 'string') throw new Error('stream gateway answered no endpoint or ticket');
    // dw_url is private in the SDK's types; _connect() reads it.
    (this as unknown as { dw_url: string }).dw_url = `${answer.endpoint}?ticket=${encodeURIComponent(answer.ticket)}`;
    return this;
  }

  /** The SDK acks an EVENT synchronously with whatever the listener returns; we ack after the insert settles. */
  override onEvent(message: DWClientDownStream): void {
    this.hooks.onEventFrame(this, message);
  }

  override onSystem(downstream: DWClientDownStream): void {
    super.onSystem(downstream);
    if (downstream.headers.topic === 'disconnect') this.hooks.onDisconnectFrame(this);
  }

  get rawSocket(): WebSocket | undefined {
    return (this as unknown as { socket?: WebSocket }).socket;
  }
}

export class DingtalkStreamConnection {
  private readonly credentials: DingtalkCredentials;
  private readonly backoff: StreamBackoff;
  private readonly random: () => number;
  private readonly monotonicNow: () => number;
  private readonly hooks: ClientHooks;
  private client: HireBridgeDWClient | undefined;
  private connecting = false;
  private running = false;
  private failures = 0;
  private openedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed: Promise<void> = Promise.resolve();
  /** Every reconnect delay chosen, oldest first (tests and metrics). */
  readonly reconnectDelays: number[] = [];
  gatewayOpens = 0;
  state: StreamState = 'idle';

  constructor(private readonly options: StreamConnectionOptions) {
    this.credentials = dingtalkCredentialsOf(options.app, options.env);
    this.backoff = { ...defaultStreamBackoff, ...options.backoff };
    this.random = options.random ?? Math.random;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
    this.hooks = {
      gatewayUrl: options.gatewayUrl ?? new URL('/v1.0/gateway/connections/open', this.credentials.baseUrl).toString(),
      fetch: options.fetch ?? fetch,
      onEventFrame: (client, frame) => void this.onEventFrame(client, frame),
      onDisconnectFrame: (client) => this.onDisconnectFrame(client),
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  /** Stops reconnecting and closes the socket; resolves once it is closed. */
  async stop(): Promise<void> {
    this.running = false;
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) {
      const closed = this.closed;
      client.close();
      await closed;
    }
  }

  /** The delay before reconnect attempt n (0-based): base·2ⁿ capped at max, with "equal jitter" (half fixed, half random). */
  delayFor(failures: number): number {
    const ceiling = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** failures);
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  private async connect(): Promise<void> {
    if (!this.running || this.connecting || this.client) return;
    this.connecting = true;
    this.state = 'connecting';
    const client = new HireBridgeDWClient(this.credentials, this.options.keepAlive ?? true, this.hooks);
    client.registerCallbackListener(TOPIC_ROBOT, (frame) => void this.onRobotFrame(client, frame));
    client.registerCallbackListener(dingtalkCardTopic, (frame) => void this.onCardFrame(client, frame));
    try {
      this.gatewayOpens++;
      await client.getEndpoint();
      await client._connect();
    } catch (error) {
      this.connecting = false;
      // A failed handshake: the socket is already terminated and nothing else schedules an attempt, so this is
      // the only place a reconnect comes from.
      client.close();
      this.options.log.warn({ appId: this.credentials.appId, reason: (error as Error).message }, 'DingTalk stream connection failed');
      this.scheduleReconnect();
      return;
    }
    this.connecting = false;
    const socket = client.rawSocket;
    if (!this.running || !socket) {
      client.close();
      return;
    }
    this.client = client;
    this.openedAt = this.monotonicNow();
    this.state = 'open';
    this.closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => this.onClosed(client));
    this.options.log.info({ appId: this.credentials.appId }, 'DingTalk stream connected');
  }

  private onClosed(client: HireBridgeDWClient): void {
    client.close();
    if (this.client !== client) return;
    this.client = undefined;
    if (!this.running) return;
    if (this.monotonicNow() - this.openedAt >= this.backoff.stableMs) this.failures = 0;
    this.options.log.warn({ appId: this.credentials.appId }, 'DingTalk stream closed; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.running || this.timer) return;
    const delay = this.delayFor(this.failures);
    this.failures++;
    this.reconnectDelays.push(delay);
    this.state = 'waiting';
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, delay);
  }

  /** DingTalk announces a server-side close with `disconnect`: close now and reconnect instead of waiting for it. */
  private onDisconnectFrame(client: HireBridgeDWClient): void {
    if (this.client !== client) return;
    this.options.log.info({ appId: this.credentials.appId }, 'DingTalk stream asked to disconnect');
    client.rawSocket?.terminate();
  }

  private async store(event: InboundEvent): Promise<boolean> {
    try {
      const { inserted } = await this.options.accept(event);
      if (!inserted) this.options.log.info({ appId: event.appId, kind: event.kind }, 'duplicate DingTalk stream message acknowledged');
      return true;
    } catch (error) {
      this.options.log.warn({ appId: event.appId, kind: event.kind, reason: (error as Error).message }, 'DingTalk stream message not stored; left un-acked for redelivery');
      return false;
    }
  }

  private async onRobotFrame(client: HireBridgeDWClient, frame: DWClientDownStream): Promise<void> {
    const messageId = frame.headers.messageId;
    let message: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(frame.data);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      message = parsed as Record<string, unknown>;
    } catch {
      // A frame that can never be stored would be re-pushed forever: acknowledge it and say so.
      this.options.log.error({ appId: this.credentials.appId, messageId }, 'DingTalk robot message is not JSON; acknowledged and dropped');
      client.socketCallBackResponse(messageId, null);
      return;
    }
    const msgId = typeof message.msgId === 'string' && message.msgId.length > 0 ? message.msgId : undefined;
    const msgtype = typeof message.msgtype === 'string' ? message.msgtype : 'unknown';
    const stored = await this.store({
      tenantId: this.credentials.tenantId,
      appId: this.credentials.appId,
      dedupeKey: msgId ? `msg:${msgId}` : `stream:${messageId}`,
      kind: `message.robot_${msgtype}`,
      payload: message,
    });
    if (stored) client.socketCallBackResponse(messageId, null);
  }

  private async onCardFrame(client: HireBridgeDWClient, frame: DWClientDownStream): Promise<void> {
    const messageId = frame.headers.messageId;
    const click = parseCardCallback(frame.data);
    if ('invalid' in click) {
      // Not a HireBridge button (or unreadable): re-pushing it would not make it one. Acknowledge and say so.
      this.options.log.warn({ appId: this.credentials.appId, messageId, reason: click.invalid }, 'DingTalk card callback not usable; acknowledged and dropped');
      client.socketCallBackResponse(messageId, {});
      return;
    }
    const space = spaceOfChatRef(click.chat);
    if (space?.type === 'single' && space.userId !== click.userId) {
      // A 1:1 card is only shown to the person it was delivered to: a click by anyone else is forged or misrouted.
      this.options.log.warn({ appId: this.credentials.appId, messageId, outTrackId: click.outTrackId }, "DingTalk card callback on someone else's 1:1 card; acknowledged and dropped");
      client.socketCallBackResponse(messageId, {});
      return;
    }
    const stored = await this.store({
      tenantId: this.credentials.tenantId,
      appId: this.credentials.appId,
      dedupeKey: cardClickDedupeKey(click),
      kind: dingtalkCardClickKind,
      payload: { ...click },
    });
    // The callback response could change the card for the clicker only; everyone's copy is updated after the action.
    if (stored) client.socketCallBackResponse(messageId, {});
  }

  private async onEventFrame(client: HireBridgeDWClient, frame: DWClientDownStream): Promise<void> {
    const { messageId, eventType, eventId, eventBornTime, eventCorpId } = frame.headers;
    let data: unknown;
    try {
      data = JSON.parse(frame.data);
    } catch {
      data = frame.data;
    }
    const stored = await this.store({
      tenantId: this.credentials.tenantId,
      appId: this.credentials.appId,
      dedupeKey: eventId ? `event:${eventId}` : `stream:${messageId}`,
      kind: `event.${eventType ?? frame.headers.topic ?? 'unknown'}`,
      payload: { eventType: eventType ?? null, eventId: eventId ?? null, eventBornTime: eventBornTime ?? null, eventCorpId: eventCorpId ?? null, data },
    });
    // LATER asks DingTalk to push the event again later.
    client.send(messageId, { status: stored ? EventAck.SUCCESS : EventAck.LATER, message: stored ? 'OK' : 'not stored' });
  }
}

/** Starts one stream connection per DingTalk app. */
export function startDingtalkStream(options: StreamConnectionOptions): DingtalkStreamConnection {
  const connection = new DingtalkStreamConnection(options);
  connection.start();
  return connection;
}
