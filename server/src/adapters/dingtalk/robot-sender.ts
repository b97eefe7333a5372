import type { GroupMessage } from '../../ports/group-notifier';
import { renderDingtalkRobotTemplate } from './render-group-message';
import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../ports/outbound-sender';
import { SecretUnavailableError } from '../platform/secret-ref';
import type { TokenCache } from '../postgres/token-cache';
import { createDingtalkApi, DingtalkApiError, type DingtalkApi } from './api-client';
import { DingtalkAppMisconfiguredError, dingtalkCredentialsOf } from './app-identity';
import { createAndDeliverBody, dingtalkCardUpdateChannel, handledCardUpdateBody, outTrackIdOf, type DingtalkCardSpace } from './card-template';
import { DingtalkMediaUploadError, uploadDingtalkImage } from './media-upload';

/**
 * Outbox rows of channels `dingtalk_group` (recipient = openConversationId) and `dingtalk_oto` (recipient = userId),
 * sent by the app's robot. Row payload: `{msgKey: "sampleText" | "sampleMarkdown" | …, msgParam: {…}}`; msgParam is
 * serialised here because DingTalk wants a JSON *string* and refuses an object.
 * - group: https://open.dingtalk.com/document/orgapp/the-robot-sends-a-group-message
 * - 1:1:   https://open.dingtalk.com/document/orgapp/chatbots-send-one-on-one-chat-messages-in-batches
 * batchSend answers 200 even when nobody was reached: a user in `flowControlledStaffIdList` was throttled (retry
 * later), one in `invalidStaffIdList` is not reachable by this robot (no point retrying).
 *
 * Neutral messages (`payload.message`) that the robot's message templates cannot carry:
 * - a button card, when the app has a card template (`cardTemplateId`): an interactive card via
 *   `POST /v1.0/card/instances/createAndDeliver` (card-template.ts documents the template) — in a group
 *   (`openSpaceId dtv1.card//IM_GROUP.<cid>`) or in the robot's 1:1 chat with the recipient (`dtv1.card//IM_ROBOT.
 *   <userId>`, `imRobotOpenDeliverModel {spaceType: "IM_ROBOT", robotCode}`; one user per call, like batchSend here).
 *   A 1:1 row may carry both the neutral card (`message`) and a DingTalk template (`msgKey`/`msgParam`, the text
 *   listing): the template is what is sent when there is no card template. Without one, the text listing
 *   (render-group-message.ts) and a log line saying the template is missing;
 * - an image (group or 1:1): uploaded to the media store (media-upload.ts), then `sampleImageMsg {photoURL: media_id}`.
 * Channel `dingtalk_card_update` (recipient = outTrackId, payload `{outTrackId, status}`): after a click was acted on,
 * `PUT /v1.0/card/instances` replaces the buttons with who handled it, for everyone in the chat.
 */
export const dingtalkRobotChannels = ['dingtalk_group', 'dingtalk_oto', dingtalkCardUpdateChannel] as const;

/** The card API answers 200 with per-space results; a failed delivery is in deliverResults, not in the status. */
interface CreateAndDeliverAnswer {
  success?: boolean;
  result?: { outTrackId?: string; deliverResults?: { spaceType?: string; spaceId?: string; success?: boolean; errorMsg?: string; carrierId?: string }[] };
}

/** Chosen in the simulator for a second create with an outTrackId already used: the card exists, so it was delivered. */
const duplicateOutTrackId = 'invalidParameter.outTrackId.duplicate';

function templateOf(payload: Record<string, unknown>): { msgKey: string; msgParam: string } {
  // A neutral message (GroupNotifier, ChatNotifier's DingTalk path) is rendered here; otherwise the row is DingTalk-shaped.
  if (payload.message !== undefined && payload.msgKey === undefined) {
    const rendered = renderDingtalkRobotTemplate(payload.message as GroupMessage);
    return { msgKey: rendered.msgKey, msgParam: JSON.stringify(rendered.msgParam) };
  }
  const { msgKey, msgParam } = payload;
  if (typeof msgKey !== 'string' || msgKey.length === 0) throw new SendFailedError('payload has no msgKey', false, 'bad_payload');
  if (typeof msgParam === 'string') return { msgKey, msgParam };
  if (typeof msgParam !== 'object' || msgParam === null) throw new SendFailedError('payload has no msgParam object', false, 'bad_payload');
  return { msgKey, msgParam: JSON.stringify(msgParam) };
}

export function dingtalkRobotSender(deps: {
  findApp(tenantId: string): Promise<PlatformApp | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  tokens: TokenCache;
  log: Logger;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}): OutboundSender {
  const clients = new Map<string, { api: DingtalkApi; robotCode: string; baseUrl: string }>();
  const warnedNoTemplate = new Set<string>();

  function clientFor(app: PlatformApp) {
    let client = clients.get(app.id);
    if (!client) {
      const credentials = dingtalkCredentialsOf(app, deps.env);
      const api = createDingtalkApi({
        credentials,
        tokens: deps.tokens,
        log: deps.log,
        ...(deps.fetch && { fetch: deps.fetch }),
        ...(deps.sleep && { sleep: deps.sleep }),
      });
      client = { api, robotCode: credentials.robotCode, baseUrl: credentials.baseUrl };
      clients.set(app.id, client);
    }
    return client;
  }

  return {
    async send(message: OutboundMessage) {
      const app = await deps.findApp(message.tenantId);
      if (!app) throw new SendFailedError('tenant has no DingTalk app configured', false, 'no_app');
      let client;
      try {
        client = clientFor(app);
      } catch (error) {
        if (error instanceof SecretUnavailableError) throw new SendFailedError(error.message, false, 'no_secret');
        if (error instanceof DingtalkAppMisconfiguredError) throw new SendFailedError(error.message, false, 'no_app');
        throw error;
      }
      try {
        if (message.channel === dingtalkCardUpdateChannel) {
          const { outTrackId, status } = message.payload as { outTrackId?: unknown; status?: unknown };
          if (typeof outTrackId !== 'string' || typeof status !== 'string') throw new SendFailedError('payload has no outTrackId/status', false, 'bad_payload');
          await client.api.request('PUT', '/v1.0/card/instances', handledCardUpdateBody(outTrackId, status));
          return { receipt: { outTrackId } };
        }
        const neutral = message.payload.message as GroupMessage | undefined;
        if (neutral?.kind === 'image' && (message.channel === 'dingtalk_group' || message.channel === 'dingtalk_oto')) {
          const { mediaId } = await uploadDingtalkImage(
            { api: client.api, baseUrl: client.baseUrl, ...(deps.fetch && { fetch: deps.fetch }) },
            { bytes: Buffer.from(neutral.pngBase64, 'base64'), filename: 'chart.png', contentType: 'image/png' },
          );
          const sent = await sendTemplate(client, message, 'sampleImageMsg', JSON.stringify({ photoURL: mediaId }));
          return { receipt: { ...sent.receipt, mediaId } };
        }
        if (neutral?.kind === 'button_card' && (message.channel === 'dingtalk_group' || message.channel === 'dingtalk_oto')) {
          if (app.cardTemplateId) {
            const space: DingtalkCardSpace =
              message.channel === 'dingtalk_group' ? { type: 'group', openConversationId: message.recipient } : { type: 'single', userId: message.recipient };
            return await deliverCard(client, app.cardTemplateId, neutral, space);
          }
          if (!warnedNoTemplate.has(app.id)) {
            warnedNoTemplate.add(app.id);
            deps.log.warn({ appId: app.id }, 'DingTalk app has no card template (cardTemplateId): button cards are sent as text listings');
          }
        }
        const { msgKey, msgParam } = templateOf(message.payload);
        return await sendTemplate(client, message, msgKey, msgParam);
      } catch (error) {
        if (error instanceof DingtalkApiError) throw new SendFailedError(error.message, error.retryable, error.code);
        if (error instanceof DingtalkMediaUploadError) throw new SendFailedError(error.message, error.retryable, `media_${error.errcode}`);
        throw error;
      }
    },
  };

  async function deliverCard(client: { api: DingtalkApi; robotCode: string }, templateId: string, card: Extract<GroupMessage, { kind: 'button_card' }>, space: DingtalkCardSpace) {
    const body = createAndDeliverBody({ templateId, robotCode: client.robotCode, message: card, space });
    const outTrackId = outTrackIdOf(card.cardId);
    let answer: CreateAndDeliverAnswer;
    try {
      answer = await client.api.post<CreateAndDeliverAnswer>('/v1.0/card/instances/createAndDeliver', body);
    } catch (error) {
      // A retry after a lost answer: the card was created (and delivered) by the first attempt.
      if (error instanceof DingtalkApiError && error.code === duplicateOutTrackId) return { receipt: { outTrackId, duplicate: true } };
      throw error;
    }
    const failed = (answer.result?.deliverResults ?? []).find((r) => r.success === false);
    if (failed) throw new SendFailedError(`card ${outTrackId} not delivered to ${failed.spaceId ?? '?'}: ${failed.errorMsg ?? ''}`, false, 'card_not_delivered');
    return { receipt: { outTrackId, carrierId: answer.result?.deliverResults?.[0]?.carrierId ?? null } };
  }

  async function sendTemplate(client: { api: DingtalkApi; robotCode: string }, message: OutboundMessage, msgKey: string, msgParam: string) {
    if (message.channel === 'dingtalk_group') {
      const answer = await client.api.post<{ processQueryKey?: string }>('/v1.0/robot/groupMessages/send', {
        robotCode: client.robotCode,
        openConversationId: message.recipient,
        msgKey,
        msgParam,
      });
      return { receipt: { processQueryKey: answer.processQueryKey ?? null } };
    }
    if (message.channel === 'dingtalk_oto') {
      const answer = await client.api.post<{ processQueryKey?: string; invalidStaffIdList?: string[]; flowControlledStaffIdList?: string[] }>(
        '/v1.0/robot/oToMessages/batchSend',
        { robotCode: client.robotCode, userIds: [message.recipient], msgKey, msgParam },
      );
      if (answer.invalidStaffIdList?.includes(message.recipient)) {
        throw new SendFailedError(`user ${message.recipient} cannot be reached by this robot`, false, 'invalid_user');
      }
      if (answer.flowControlledStaffIdList?.includes(message.recipient)) {
        throw new SendFailedError(`user ${message.recipient} is flow-controlled by DingTalk`, true, 'flow_controlled');
      }
      return { receipt: { processQueryKey: answer.processQueryKey ?? null } };
    }
    throw new SendFailedError(`channel ${message.channel} is not a DingTalk robot channel`, false, 'bad_channel');
  }
}
