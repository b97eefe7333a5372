import { WSClient } from '@wecom/aibot-node-sdk';
import type { FeatureContext } from '../../../features/context';
import { acceptInboundEvent } from '../../../features/inbox';
import type { PlatformApp } from '../../../features/platform';
import type { Logger } from '../../../observability/logger';
import { resolveSecretRef } from '../../platform/secret-ref';
import { CallbackRejectedError } from '../callback-crypto';
import { acknowledgement, inboundOf, streamIdFor } from './inbound';
import { AibotPayloadRejectedError, parseAibotObject } from './payload';

/**
 * The WeCom AI bot over its long connection (长连接), through the official SDK `@wecom/aibot-node-sdk`: no public URL
 * and no crypto, frames `{cmd, headers: {req_id}, body}` over a WebSocket the SDK keeps alive (heartbeat, exponential
 * reconnect). Each message is stored in the inbox first and acknowledged (a finished stream reply) only once
 * stored; if the database is down nothing is acknowledged and the user sees no "收到".
 * https://developer.work.weixin.qq.com/document/path/101463
 */
export interface AibotLongConnectionOptions {
  /** A `wecom_aibot` platform app: bot id in `agentId`, long-connection secret in `secretRef`. */
  readonly app: PlatformApp;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly features: FeatureContext;
  readonly log: Logger;
  /** wss://openws.work.weixin.qq.com in production; the simulator's `sim.aibot.wsUrl` in tests. Required on purpose. */
  readonly wsUrl: string;
  readonly reconnectBaseMs?: number;
  readonly heartbeatMs?: number;
}

interface Frame {
  readonly headers: { readonly req_id: string };
  readonly body?: unknown;
}

export interface AibotLongConnection {
  readonly appId: string;
  readonly tenantId: string;
  /** Resolves once the connection is subscribed (after the first successful `aibot_subscribe`). */
  ready(timeoutMs?: number): Promise<void>;
  isConnected(): boolean;
  /** `aibot_send_msg`: a proactive markdown or template_card to a group chatid or a member's userid. */
  sendMessage(chatId: string, body: { msgtype: 'markdown' | 'template_card'; [key: string]: unknown }): Promise<{ errcode?: number }>;
  /** A proactive image: uploaded as temporary media (三步分片上传), then `aibot_send_msg` with its media_id. */
  sendImage(chatId: string, png: Buffer, filename: string): Promise<{ errcode?: number }>;
  stop(): void;
}

export function startAibotLongConnection(options: AibotLongConnectionOptions): AibotLongConnection {
  const { app, log, features } = options;
  if (app.kind !== 'wecom_aibot' || !app.agentId) throw new Error('a wecom_aibot app with its bot id in agentId is required');
  const secret = resolveSecretRef(app.secretRef, { env: options.env, demoAllowed: app.tenantIsDemo });
  const context = { appId: app.id };
  const client = new WSClient({
    botId: app.agentId,
    secret,
    wsUrl: options.wsUrl,
    reconnectInterval: options.reconnectBaseMs ?? 1000,
    // A bot that drops off stays down for every HR group: keep trying (the SDK caps the delay at 30 s).
    maxReconnectAttempts: -1,
    heartbeatInterval: options.heartbeatMs ?? 30_000,
    logger: {
      // The SDK's debug lines carry whole message bodies (personal data); they are not logged.
      debug: () => undefined,
      info: (message: string) => log.debug(context, `aibot sdk: ${message}`),
      warn: (message: string) => log.warn(context, `aibot sdk: ${message}`),
      error: (message: string, ...args: unknown[]) => log.error({ ...context, detail: args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ') }, `aibot sdk: ${message}`),
    },
  });

  let authenticated = false;
  const waiters: Array<() => void> = [];
  client.on('authenticated', () => {
    authenticated = true;
    for (const resolve of waiters.splice(0)) resolve();
  });
  client.on('disconnected', (reason) => log.warn({ ...context, reason }, 'WeCom AI-bot long connection lost'));
  client.on('error', (error) => log.error({ ...context, reason: error.message }, 'WeCom AI-bot long connection error'));

  async function store(frame: Frame) {
    let inbound;
    try {
      inbound = inboundOf(app, parseAibotObject(frame.body), 'long_connection', features.clock);
    } catch (error) {
      if (error instanceof AibotPayloadRejectedError || error instanceof CallbackRejectedError) {
        log.warn({ ...context, reason: (error as Error).message }, 'WeCom AI-bot frame rejected');
        return undefined;
      }
      throw error;
    }
    if (inbound.type === 'stream_refresh') return undefined;
    const { inserted } = await acceptInboundEvent(features, inbound.event);
    if (!inserted) log.info({ ...context, kind: inbound.event.kind }, 'duplicate WeCom AI-bot frame');
    return inbound;
  }

  const onFrame = (frame: Frame) => {
    void (async () => {
      let inbound;
      try {
        inbound = await store(frame);
      } catch (error) {
        // Not stored: not acknowledged either, so nobody is told "收到" for a message we do not have.
        log.error({ ...context, reason: (error as Error).message }, 'WeCom AI-bot message could not be stored');
        return;
      }
      if (inbound?.type !== 'message') return;
      try {
        await client.replyStream(frame, streamIdFor(inbound.message.messageId), acknowledgement, true);
      } catch (error) {
        const reason = error instanceof Error ? error.message : JSON.stringify(error);
        log.warn({ ...context, reason }, 'WeCom AI-bot acknowledgement not accepted');
      }
    })();
  };
  client.on('message', (frame) => onFrame(frame as Frame));
  client.on('event', (frame) => {
    const eventType = (frame.body as { event?: { eventtype?: string } } | undefined)?.event?.eventtype;
    // The SDK handles disconnected_event itself (a newer connection of the same bot took over); it is not user input.
    if (eventType === 'disconnected_event') return;
    onFrame(frame as Frame);
  });
  client.connect();

  return {
    appId: app.id,
    tenantId: app.tenantId,
    ready(timeoutMs = 10_000) {
      if (authenticated) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('WeCom AI-bot long connection not subscribed in time')), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    isConnected: () => client.isConnected,
    async sendMessage(chatId, body) {
      return (await client.sendMessage(chatId, body as never)) as { errcode?: number };
    },
    async sendImage(chatId, png, filename) {
      const uploaded = await client.uploadMedia(png, { type: 'image', filename });
      return (await client.sendMediaMessage(chatId, 'image', uploaded.media_id)) as { errcode?: number };
    },
    stop() {
      client.removeAllListeners();
      client.disconnect();
    },
  };
}
