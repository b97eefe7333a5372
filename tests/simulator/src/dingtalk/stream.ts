import { randomBytes, randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { DingtalkState } from './state';

/**
 * DingTalk Stream mode (https://open.dingtalk.com/document/orgapp/stream): the app opens a WebSocket to DingTalk and
 * receives frames over it, instead of exposing an HTTP callback. Protocol as `dingtalk-stream` 2.1.5 speaks it:
 * `POST /v1.0/gateway/connections/open {clientId, clientSecret, ua, subscriptions}` → `{endpoint, ticket}`, then a
 * WebSocket to `endpoint?ticket=`; frames `{specVersion, type: SYSTEM|EVENT|CALLBACK, headers, data: string}`;
 * the client answers `{code: 200, headers: {messageId, contentType}, message: "OK", data: string}`.
 * https://open.dingtalk.com/document/direct-connection/stream-protocol
 */
export interface StreamTiming {
  /** An unacknowledged CALLBACK/EVENT is pushed again this long after the last push (DingTalk: about 60 s). */
  readonly redeliverAfterMs: number;
  /** Real-time period at which the simulator looks at its clock for frames due again. */
  readonly pollIntervalMs: number;
  /** After a `disconnect` system frame the server closes the socket this long later (DingTalk: about 10 s). */
  readonly disconnectGraceMs: number;
  /** A ticket must be used within this long (chosen: 90 s; the protocol doc only says it is one-off). */
  readonly ticketTtlMs: number;
}

export const defaultStreamTiming: StreamTiming = {
  redeliverAfterMs: 60_000,
  pollIntervalMs: 50,
  disconnectGraceMs: 10_000,
  ticketTtlMs: 90_000,
};

export const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';

export interface StreamFrame {
  readonly specVersion: string;
  readonly type: 'SYSTEM' | 'EVENT' | 'CALLBACK';
  readonly headers: Record<string, string>;
  readonly data: string;
}

export interface RecordedAck {
  readonly messageId: string;
  readonly code: number;
  readonly data: unknown;
  readonly connectionId: string;
  readonly at: Date;
}

interface PendingFrame {
  readonly frame: StreamFrame;
  readonly appKey: string;
  pushes: number;
  lastPushMs?: number;
  acked: boolean;
}

interface Connection {
  readonly id: string;
  readonly appKey: string;
  readonly socket: WebSocket;
  readonly subscriptions: readonly { type: string; topic: string }[];
}

export class StreamGateway {
  readonly timing: StreamTiming;
  readonly acks: RecordedAck[] = [];
  /** Answers to `ping` system frames, by messageId. */
  readonly pongs: string[] = [];
  readonly gatewayOpens = new Map<string, number>();
  readonly peakConnections = new Map<string, number>();
  readonly refusedHandshakes = new Map<string, number>();
  private readonly tickets = new Map<string, { appKey: string; subscriptions: Connection['subscriptions']; issuedAtMs: number }>();
  private readonly connections = new Map<string, Connection>();
  private readonly pending = new Map<string, PendingFrame>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private poller: NodeJS.Timeout | undefined;
  private duplicateAcks = 0;
  private rejectHandshakes = 0;
  private failOpens = 0;
  private baseWsUrl = '';
  private server: Server | undefined;

  constructor(
    private readonly state: DingtalkState,
    timing: Partial<StreamTiming> = {},
  ) {
    this.timing = { ...defaultStreamTiming, ...timing };
  }

  /**
   * Listens on a port of its own: the real endpoint is another host (wss-open-connection.dingtalk.com) than the API,
   * and the simulator's main server already routes upgrades for other modules. `/connect` is the stream endpoint.
   */
  async listen(host: string): Promise<void> {
    const server = createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.listen(0, host, () => resolve());
      server.once('error', reject);
    });
    this.server = server;
    this.baseWsUrl = `ws://${host}:${(server.address() as AddressInfo).port}/connect`;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (url.pathname !== '/connect') {
      socket.destroy();
      return;
    }
    const ticket = url.searchParams.get('ticket') ?? '';
    const issued = this.tickets.get(ticket);
    // Tickets are one-off: used or not, an upgrade consumes it.
    this.tickets.delete(ticket);
    const valid = issued && this.state.nowMs() - issued.issuedAtMs <= this.timing.ticketTtlMs;
    if (!issued || !valid || this.rejectHandshakes > 0) {
      if (issued) this.refusedHandshakes.set(issued.appKey, (this.refusedHandshakes.get(issued.appKey) ?? 0) + 1);
      if (this.rejectHandshakes > 0) this.rejectHandshakes--;
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: 14\r\nConnection: close\r\n\r\ninvalid ticket');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.register(ws, issued.appKey, issued.subscriptions));
  }

  /** `POST /v1.0/gateway/connections/open`: credentials checked, a one-off ticket issued. */
  open(appKey: string, subscriptions: Connection['subscriptions']): { endpoint: string; ticket: string } | 'failed' {
    this.gatewayOpens.set(appKey, (this.gatewayOpens.get(appKey) ?? 0) + 1);
    if (this.failOpens > 0) {
      this.failOpens--;
      return 'failed';
    }
    const ticket = randomUUID();
    this.tickets.set(ticket, { appKey, subscriptions, issuedAtMs: this.state.nowMs() });
    return { endpoint: this.baseWsUrl, ticket };
  }

  private register(socket: WebSocket, appKey: string, subscriptions: Connection['subscriptions']): void {
    const connection: Connection = { id: randomBytes(8).toString('hex'), appKey, socket, subscriptions };
    this.connections.set(connection.id, connection);
    const live = this.connectionsOf(appKey).length;
    this.peakConnections.set(appKey, Math.max(this.peakConnections.get(appKey) ?? 0, live));
    socket.on('message', (raw) => this.onClientFrame(connection, raw.toString('utf8')));
    socket.on('close', () => this.connections.delete(connection.id));
    socket.on('error', () => this.connections.delete(connection.id));
    // Frames that waited for a connection go out at once; un-acked ones wait for their redelivery time.
    for (const entry of this.pending.values()) if (entry.appKey === appKey && entry.pushes === 0) this.push(entry);
    this.ensurePoller();
  }

  connectionsOf(appKey: string): Connection[] {
    return [...this.connections.values()].filter((c) => c.appKey === appKey && c.socket.readyState === WebSocket.OPEN);
  }

  private onClientFrame(connection: Connection, raw: string): void {
    let reply: { code?: number; headers?: Record<string, string>; data?: string };
    try {
      reply = JSON.parse(raw) as typeof reply;
    } catch {
      return; // DingTalk ignores what it cannot read; the frame stays un-acked
    }
    const messageId = reply.headers?.messageId;
    if (!messageId) return;
    const entry = this.pending.get(messageId);
    if (!entry) {
      this.pongs.push(messageId);
      return;
    }
    let data: unknown = reply.data;
    try {
      data = typeof reply.data === 'string' ? JSON.parse(reply.data) : reply.data;
    } catch {
      // kept as the raw string
    }
    this.acks.push({ messageId, code: reply.code ?? 0, data, connectionId: connection.id, at: this.state.clock.now() });
    // An EVENT answered LATER is not consumed: DingTalk pushes it again later.
    const later = entry.frame.type === 'EVENT' && (data as { status?: string } | undefined)?.status === 'LATER';
    if (reply.code !== 200 || later) return;
    const firstAck = !entry.acked;
    entry.acked = true;
    // At-least-once: DingTalk occasionally pushes an acked message again; scripted here.
    if (firstAck && this.duplicateAcks > 0) {
      this.duplicateAcks--;
      this.send(connection, entry.frame);
    }
  }

  /** Queues a frame for the app and pushes it on one live connection, if any. */
  enqueue(appKey: string, type: 'EVENT' | 'CALLBACK', topic: string, data: Record<string, unknown>, extraHeaders: Record<string, string> = {}): string {
    const messageId = `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(6).toString('hex')}`;
    const frame: StreamFrame = {
      specVersion: '1.0',
      type,
      headers: { appId: appKey, contentType: 'application/json', messageId, time: String(this.state.nowMs()), topic, ...extraHeaders },
      data: JSON.stringify(data),
    };
    const entry: PendingFrame = { frame, appKey, pushes: 0, acked: false };
    this.pending.set(messageId, entry);
    this.push(entry);
    return messageId;
  }

  private push(entry: PendingFrame): boolean {
    const targets = this.connectionsOf(entry.appKey).filter((c) =>
      c.subscriptions.some((s) => s.type === entry.frame.type && (s.topic === '*' || s.topic === entry.frame.headers.topic)),
    );
    // DingTalk delivers each message to one of the app's connections.
    const target = targets[Math.floor(Math.random() * targets.length)];
    if (!target) return false;
    entry.pushes++;
    entry.lastPushMs = this.state.nowMs();
    this.send(target, entry.frame);
    return true;
  }

  private send(connection: Connection, frame: StreamFrame): void {
    connection.socket.send(JSON.stringify({ ...frame, headers: { ...frame.headers, connectionId: connection.id } }));
  }

  /** Pushes again every un-acked frame whose last push is `redeliverAfterMs` old on the clock; returns how many. */
  redeliverDue(): number {
    const now = this.state.nowMs();
    let pushed = 0;
    for (const entry of this.pending.values()) {
      if (entry.acked) continue;
      if (entry.pushes > 0 && now - (entry.lastPushMs ?? now) < this.timing.redeliverAfterMs) continue;
      if (this.push(entry)) pushed++;
    }
    return pushed;
  }

  private ensurePoller(): void {
    if (this.poller) return;
    this.poller = setInterval(() => this.redeliverDue(), this.timing.pollIntervalMs);
    this.poller.unref();
  }

  unacked(appKey?: string): StreamFrame[] {
    return [...this.pending.values()].filter((e) => !e.acked && (!appKey || e.appKey === appKey)).map((e) => e.frame);
  }

  pushesOf(messageId: string): number {
    return this.pending.get(messageId)?.pushes ?? 0;
  }

  duplicateNextAck(count = 1): void {
    this.duplicateAcks += count;
  }

  rejectNextHandshakes(count = 1): void {
    this.rejectHandshakes += count;
  }

  failNextOpens(count = 1): void {
    this.failOpens += count;
  }

  /** A `ping` system frame on every live connection of the app; the client must echo it. Returns the messageIds. */
  ping(appKey: string): string[] {
    return this.connectionsOf(appKey).map((c) => {
      const messageId = randomUUID();
      this.sendSystem(c, 'ping', messageId, { opaque: randomUUID() });
      return messageId;
    });
  }

  /** A `disconnect` system frame; the socket is closed `disconnectGraceMs` (real time) later. */
  disconnect(appKey: string): number {
    const live = this.connectionsOf(appKey);
    for (const c of live) {
      this.sendSystem(c, 'disconnect', randomUUID(), { reason: 'server will restart' });
      setTimeout(() => c.socket.close(1000, 'disconnect'), this.timing.disconnectGraceMs).unref();
    }
    return live.length;
  }

  private sendSystem(c: Connection, topic: string, messageId: string, data: Record<string, unknown>): void {
    c.socket.send(
      JSON.stringify({
        specVersion: '1.0',
        type: 'SYSTEM',
        headers: { appId: c.appKey, connectionId: c.id, contentType: 'application/json', messageId, time: String(this.state.nowMs()), topic },
        data: JSON.stringify(data),
      }),
    );
  }

  /** Cuts every connection (of one app, or all) without a close handshake, as a network failure would. */
  dropConnections(appKey?: string): number {
    let n = 0;
    for (const c of [...this.connections.values()]) {
      if (appKey && c.appKey !== appKey) continue;
      c.socket.terminate();
      this.connections.delete(c.id);
      n++;
    }
    return n;
  }

  async close(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    this.dropConnections();
    this.wss.close();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
