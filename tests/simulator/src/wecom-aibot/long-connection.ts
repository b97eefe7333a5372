import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { errmsgFor } from '../wecom/errors';
import { buttonsOf, checkBotMessageBody } from './routes';
import { type AibotState, aibotErrcodes, aibotLimits, byteLength, chatKeyOf, newMsgId } from './state';

/**
 * The AI bot's long-connection (长连接) endpoint, `wss://openws.work.weixin.qq.com` in production, speaking the frames
 * of the official SDK `@wecom/aibot-node-sdk` 1.0.7: `{cmd, headers: {req_id}, body}` from either side, answered by
 * `{headers: {req_id}, errcode, errmsg}`.
 * https://developer.work.weixin.qq.com/document/path/101463 (长连接)
 */
export const longConnectionPath = '/aibot/ws';

export interface RespondRecord {
  readonly cmd: string;
  readonly body: Record<string, unknown>;
  /** performance.now() when the frame arrived: tests compare it with the moment the app stored the message. */
  readonly atPerfMs: number;
  readonly errcode: number;
}

export interface PushedCallback {
  readonly reqId: string;
  readonly botId: string;
  readonly msgid: string;
  readonly kind: 'message' | 'event';
  readonly chatKey: string;
  readonly pushedAtMs: number;
  readonly pushedAtPerfMs: number;
  readonly connectionId: number;
  readonly responses: RespondRecord[];
}

interface Connection {
  readonly id: number;
  readonly socket: WebSocket;
  botId?: string;
}

export interface PushInput {
  readonly userid: string;
  /** A group's chatid; omitted for a 1:1 chat. */
  readonly chatId?: string;
  readonly text?: string;
  readonly msgid?: string;
  /** Adds "@<bot name> " in front of the text, as WeCom does for group mentions (default: true in groups). */
  readonly mention?: boolean;
  /** Replaces the whole body (hand-made or malformed payloads). */
  readonly rawBody?: unknown;
}

function frameOf(data: RawData): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class AibotLongConnections {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<Connection>();
  private readonly live = new Map<string, Connection>();
  private nextId = 1;
  readonly callbacks = new Map<string, PushedCallback>();
  readonly authentications = new Map<string, number>();
  readonly heartbeats = new Map<string, number>();
  readonly protocolErrors: string[] = [];

  constructor(private readonly state: AibotState) {}

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== longConnectionPath) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  private accept(socket: WebSocket): void {
    const connection: Connection = { id: this.nextId++, socket };
    this.connections.add(connection);
    socket.on('message', (data) => this.onFrame(connection, data));
    socket.on('close', () => {
      this.connections.delete(connection);
      if (connection.botId && this.live.get(connection.botId) === connection) this.live.delete(connection.botId);
    });
    socket.on('error', () => undefined);
  }

  private send(connection: Connection, frame: Record<string, unknown>): void {
    if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify(frame));
  }

  private ack(connection: Connection, reqId: string, errcode: number, detail?: string): void {
    this.send(connection, { headers: { req_id: reqId }, errcode, errmsg: errmsgFor(errcode, this.state.clock.now(), detail) });
  }

  private onFrame(connection: Connection, data: RawData): void {
    const frame = frameOf(data);
    const headers = frame?.headers as { req_id?: unknown } | undefined;
    const reqId = typeof headers?.req_id === 'string' ? headers.req_id : '';
    if (!frame || !reqId) {
      this.protocolErrors.push('frame without JSON or req_id');
      return;
    }
    const cmd = typeof frame.cmd === 'string' ? frame.cmd : '';
    const body = (typeof frame.body === 'object' && frame.body !== null ? frame.body : {}) as Record<string, unknown>;
    if (cmd === 'aibot_subscribe') return this.subscribe(connection, reqId, body);
    if (!connection.botId) {
      // Nothing but the subscription is accepted before it succeeded.
      this.ack(connection, reqId, aibotErrcodes.invalidCredential, 'not subscribed');
      return;
    }
    switch (cmd) {
      case 'ping':
        this.heartbeats.set(connection.botId, (this.heartbeats.get(connection.botId) ?? 0) + 1);
        return this.ack(connection, reqId, 0);
      case 'aibot_respond_msg':
      case 'aibot_respond_welcome_msg':
      case 'aibot_respond_update_msg':
        return this.respond(connection, cmd, reqId, body);
      case 'aibot_send_msg':
        return this.sendMsg(connection, reqId, body);
      case 'aibot_upload_media_init':
      case 'aibot_upload_media_chunk':
      case 'aibot_upload_media_finish':
        return this.upload(connection, cmd, reqId, body);
      default:
        this.protocolErrors.push(`unknown cmd ${cmd}`);
        return this.ack(connection, reqId, aibotErrcodes.invalidParameter, `unknown cmd ${cmd}`);
    }
  }

  private subscribe(connection: Connection, reqId: string, body: Record<string, unknown>): void {
    const bot = typeof body.bot_id === 'string' ? this.state.bots.get(body.bot_id) : undefined;
    if (!bot || body.secret !== bot.secret) {
      // The SDK closes the socket itself when the subscription answer carries an errcode.
      this.ack(connection, reqId, aibotErrcodes.invalidCredential, 'bot_id or secret');
      return;
    }
    const previous = this.live.get(bot.botId);
    connection.botId = bot.botId;
    this.live.set(bot.botId, connection);
    this.authentications.set(bot.botId, (this.authentications.get(bot.botId) ?? 0) + 1);
    this.ack(connection, reqId, 0);
    if (previous && previous !== connection) {
      // One connection per bot: the newer one wins and the older is told why before it is closed (SDK EventType.Disconnected).
      this.send(previous, {
        cmd: 'aibot_event_callback',
        headers: { req_id: randomBytes(12).toString('hex') },
        body: {
          msgid: newMsgId(),
          create_time: Math.floor(this.state.nowMs() / 1000),
          aibotid: bot.botId,
          msgtype: 'event',
          event: { eventtype: 'disconnected_event' },
        },
      });
      previous.botId = undefined;
      setTimeout(() => previous.socket.terminate(), 20);
    }
  }

  private respond(connection: Connection, cmd: string, reqId: string, body: Record<string, unknown>): void {
    const callback = this.callbacks.get(reqId);
    const record = (errcode: number) => {
      callback?.responses.push({ cmd, body, atPerfMs: performance.now(), errcode });
      return errcode;
    };
    if (!callback || callback.botId !== connection.botId) {
      this.protocolErrors.push(`${cmd} for unknown req_id`);
      return this.ack(connection, reqId, aibotErrcodes.invalidReqId, 'invalid req_id');
    }
    if (this.state.nowMs() - callback.pushedAtMs > aibotLimits.streamWindowMs) {
      return this.ack(connection, reqId, record(aibotErrcodes.streamExpired), 'stream message update expired');
    }
    if (cmd === 'aibot_respond_msg') {
      const msgtype = body.msgtype;
      if (msgtype === 'stream' || msgtype === 'stream_with_template_card') {
        const stream = (body.stream ?? {}) as Record<string, unknown>;
        const finishedBefore = callback.responses.some((r) => r.errcode === 0 && (r.body.stream as { finish?: unknown } | undefined)?.finish === true);
        if (typeof stream.id !== 'string' || stream.id.length === 0) return this.ack(connection, reqId, record(aibotErrcodes.invalidParameter), 'stream.id');
        if (finishedBefore) return this.ack(connection, reqId, record(aibotErrcodes.streamExpired), 'stream already finished');
        const content = typeof stream.content === 'string' ? stream.content : '';
        if (byteLength(content) > aibotLimits.maxStreamContentBytes) return this.ack(connection, reqId, record(aibotErrcodes.contentTooLarge), 'stream.content');
        if (stream.finish === true) {
          this.state.post({ botId: callback.botId, chatKey: callback.chatKey, via: 'long_connection_reply', msgtype: 'stream', content, body });
        }
      } else if (msgtype !== 'template_card') {
        return this.ack(connection, reqId, record(aibotErrcodes.invalidMsgType), `msgtype ${String(msgtype)}`);
      }
    }
    this.ack(connection, reqId, record(0));
  }

  /**
   * Temporary media over the long connection, as the SDK's uploadMedia sends it: init {type, filename, total_size,
   * total_chunks, md5} → {upload_id}; chunk {upload_id, chunk_index (0-based), base64_data ≤ 512 KB decoded}; finish
   * {upload_id} → {type, media_id, created_at}. Images are limited to 2 MB here (the robots' image cap).
   */
  private upload(connection: Connection, cmd: string, reqId: string, body: Record<string, unknown>): void {
    const answer = (body?: Record<string, unknown>) => this.send(connection, { headers: { req_id: reqId }, errcode: 0, errmsg: 'ok', ...(body ? { body } : {}) });
    const refuse = (detail: string) => this.ack(connection, reqId, aibotErrcodes.invalidParameter, detail);
    if (cmd === 'aibot_upload_media_init') {
      const { type, filename, total_size: totalSize, total_chunks: totalChunks, md5 } = body;
      if (!['image', 'file', 'voice', 'video'].includes(String(type))) return refuse('type');
      if (typeof filename !== 'string' || filename.length === 0) return refuse('filename');
      if (typeof totalSize !== 'number' || totalSize <= 0 || (type === 'image' && totalSize > 2 * 1024 * 1024)) return refuse('total_size');
      if (typeof totalChunks !== 'number' || totalChunks < 1 || totalChunks > 100 || totalChunks !== Math.ceil(totalSize / (512 * 1024))) return refuse('total_chunks');
      const uploadId = randomBytes(12).toString('hex');
      this.state.uploads.set(uploadId, { botId: connection.botId ?? '', type: String(type), filename, totalSize, totalChunks, ...(typeof md5 === 'string' ? { md5 } : {}), chunks: new Map() });
      return answer({ upload_id: uploadId });
    }
    const uploadId = typeof body.upload_id === 'string' ? body.upload_id : '';
    const upload = this.state.uploads.get(uploadId);
    if (!upload || upload.botId !== connection.botId) return refuse('upload_id');
    if (cmd === 'aibot_upload_media_chunk') {
      const index = body.chunk_index;
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= upload.totalChunks) return refuse('chunk_index');
      if (typeof body.base64_data !== 'string') return refuse('base64_data');
      const bytes = Buffer.from(body.base64_data, 'base64');
      if (bytes.length === 0 || bytes.length > 512 * 1024) return refuse('base64_data');
      upload.chunks.set(index, bytes);
      return answer();
    }
    if (upload.chunks.size !== upload.totalChunks) return refuse('chunks missing');
    const bytes = Buffer.concat([...upload.chunks.entries()].sort(([a], [b]) => a - b).map(([, chunk]) => chunk));
    this.state.uploads.delete(uploadId);
    if (bytes.length !== upload.totalSize) return refuse('total_size');
    if (upload.md5 !== undefined && createHash('md5').update(bytes).digest('hex') !== upload.md5) return refuse('md5');
    const mediaId = `3${randomBytes(24).toString('base64url')}`;
    this.state.media.set(mediaId, { botId: upload.botId, type: upload.type, filename: upload.filename, bytes });
    return answer({ type: upload.type, media_id: mediaId, created_at: String(Math.floor(this.state.nowMs() / 1000)) });
  }

  private sendMsg(connection: Connection, reqId: string, body: Record<string, unknown>): void {
    const chatid = typeof body.chatid === 'string' ? body.chatid : '';
    if (!chatid) return this.ack(connection, reqId, aibotErrcodes.invalidParameter, 'chatid');
    if (body.msgtype === 'image') {
      // A proactive image (SDK sendMediaMessage): the media_id of an upload by this bot.
      const mediaId = (body.image as { media_id?: unknown } | undefined)?.media_id;
      const media = typeof mediaId === 'string' ? this.state.media.get(mediaId) : undefined;
      if (!media || media.botId !== connection.botId || media.type !== 'image') return this.ack(connection, reqId, aibotErrcodes.invalidParameter, 'image.media_id');
      this.state.post({ botId: connection.botId ?? '', chatKey: this.state.groups.has(chatid) ? chatid : `single:${chatid}`, via: 'push', msgtype: 'image', body });
      return this.ack(connection, reqId, 0);
    }
    const checked = checkBotMessageBody(body);
    if ('errcode' in checked) return this.ack(connection, reqId, checked.errcode, checked.detail);
    const card = buttonsOf(body);
    if (card && !this.state.claimTaskId(connection.botId ?? '', card.taskId)) return this.ack(connection, reqId, aibotErrcodes.invalidParameter, 'template_card.task_id repeated');
    // A chatid that is not a known group is taken as a member's userid: "单聊填用户的 userid" (SDK sendMessage).
    const chatKey = this.state.groups.has(chatid) ? chatid : `single:${chatid}`;
    this.state.post({
      botId: connection.botId ?? '',
      chatKey,
      via: 'push',
      msgtype: String(body.msgtype),
      body,
      ...(checked.content === undefined ? {} : { content: checked.content }),
    });
    this.ack(connection, reqId, 0);
  }

  isConnected(botId: string): boolean {
    return this.live.has(botId);
  }

  /** Pushes an `aibot_msg_callback` to the bot's live connection; throws when it has none. */
  pushMessage(botId: string, input: PushInput): PushedCallback {
    const bot = this.state.bot(botId);
    const chatType = input.chatId ? 'group' : 'single';
    if (input.chatId) this.state.groups.add(input.chatId);
    const msgid = input.msgid ?? newMsgId();
    const mention = input.mention ?? chatType === 'group';
    const text = `${mention ? `@${bot.name ?? '招聘助手'} ` : ''}${input.text ?? ''}`;
    const body = input.rawBody ?? {
      msgid,
      aibotid: botId,
      ...(input.chatId ? { chatid: input.chatId } : {}),
      chattype: chatType,
      from: { userid: input.userid },
      msgtype: 'text',
      text: { content: text },
    };
    return this.pushFrame(botId, 'aibot_msg_callback', 'message', msgid, chatKeyOf(chatType, input.chatId, input.userid), body);
  }

  /** Pushes an `aibot_event_callback` (enter_chat, template_card_event, feedback_event). */
  pushEvent(botId: string, input: { userid: string; chatId?: string; event: Record<string, unknown> & { eventtype: string }; msgid?: string }): PushedCallback {
    this.state.bot(botId);
    const chatType = input.chatId ? 'group' : 'single';
    const msgid = input.msgid ?? newMsgId();
    const body = {
      msgid,
      create_time: Math.floor(this.state.nowMs() / 1000),
      aibotid: botId,
      ...(input.chatId ? { chatid: input.chatId } : {}),
      chattype: chatType,
      from: { userid: input.userid },
      msgtype: 'event',
      event: input.event,
    };
    return this.pushFrame(botId, 'aibot_event_callback', 'event', msgid, chatKeyOf(chatType, input.chatId, input.userid), body);
  }

  private pushFrame(botId: string, cmd: string, kind: 'message' | 'event', msgid: string, chatKey: string, body: unknown): PushedCallback {
    const connection = this.live.get(botId);
    if (!connection) throw new Error(`AI bot ${botId} has no live long connection`);
    const reqId = randomBytes(12).toString('hex');
    const callback: PushedCallback = {
      reqId,
      botId,
      msgid,
      kind,
      chatKey,
      pushedAtMs: this.state.nowMs(),
      pushedAtPerfMs: performance.now(),
      connectionId: connection.id,
      responses: [],
    };
    this.callbacks.set(reqId, callback);
    this.send(connection, { cmd, headers: { req_id: reqId }, body });
    return callback;
  }

  /** Cuts the bot's socket without a close frame, as a network failure would. */
  drop(botId: string): boolean {
    const connection = this.live.get(botId);
    if (!connection) return false;
    this.live.delete(botId);
    connection.socket.terminate();
    return true;
  }

  close(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    this.connections.clear();
    this.live.clear();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}
