import { randomBytes } from 'node:crypto';
import { DingtalkApiError, OapiError, newApiErrors } from './errors';
import type { DingtalkAppConfig, DingtalkState } from './state';
import type { StreamGateway } from './stream';

/**
 * Interactive cards (互动卡片) and media upload, as DingTalk answers them.
 * - `POST /v1.0/card/instances/createAndDeliver` {cardTemplateId, outTrackId (≤ 64, the caller's), cardData:
 *   {cardParamMap: strings only}, callbackType "STREAM" | "HTTP", openSpaceId "dtv1.card//IM_GROUP.<cid>" |
 *   "dtv1.card//IM_ROBOT.<userId>" (several joined by ";"), imGroupOpenDeliverModel {robotCode},
 *   imRobotOpenDeliverModel {spaceType: "IM_ROBOT", robotCode}} → `{success, result: {outTrackId, deliverResults:
 *   [{spaceType, spaceId, success, errorMsg?, carrierId}]}}`; a space that cannot be reached is reported there, not as
 *   an HTTP error. `PUT /v1.0/card/instances` {outTrackId, cardData, cardUpdateOptions: {updateCardDataByKey}} →
 *   `{success: true, result: true}`. Sources: platform.md §7.3 (`@alicloud/dingtalk` card_1_0 d.ts),
 *   https://open.dingtalk.com/document/orgapp/create-and-deliver-cards.
 * - A card delivered to `IM_ROBOT.<userId>` lands in the robot's 1:1 chat with that user, who must be reachable by
 *   the robot as for oToMessages/batchSend (a member of the organisation); otherwise its deliverResult fails with
 *   "用户不存在". Only that user sees it, so only that user can click it.
 * - A click on a card whose callbackType is STREAM: a CALLBACK frame on topic `/v1.0/card/instances/callback`, data
 *   `{corpId, outTrackId, userId, content: "{\"cardPrivateData\":{\"actionIds\":[…],\"params\":{…}}}"}`, pushed again
 *   until the client answers it (the gateway's redelivery, on the simulator's clock).
 * - `POST oapi /media/upload?access_token=&type=image` multipart field `media` → `{errcode: 0, errmsg: "ok", type,
 *   media_id: "@lA…", created_at}`; a robot's `sampleImageMsg` may then name it as `photoURL`.
 *   https://open.dingtalk.com/document/orgapp/upload-media-files ; limits jpg/gif/png/bmp ≤ 20 MB as reported by
 *   adapter authors (bubbuild/bub-contrib PR #44); errcode 40004 "不合法的媒体文件类型" from developers' reports.
 * Codes marked "chosen" are not pinned down by a stored doc (README.md, DingTalk section).
 */
export const TOPIC_CARD = '/v1.0/card/instances/callback';
export const maxOutTrackIdLength = 64;
export const maxImageBytes = 20 * 1024 * 1024;
/** "所有文件size必须大于5个字节" (media upload doc family). */
export const minMediaBytes = 5;

export type CardSpace = { readonly type: 'IM_GROUP' | 'IM_ROBOT'; readonly id: string };

export interface SimCard {
  readonly outTrackId: string;
  readonly appKey: string;
  readonly templateId: string;
  readonly callbackType: 'STREAM' | 'HTTP';
  readonly spaces: readonly CardSpace[];
  /** Current public data; updates merge into it (updateCardDataByKey) or replace it. */
  cardParamMap: Record<string, string>;
  readonly createdAt: Date;
  readonly updates: { readonly at: Date; readonly cardParamMap: Record<string, string>; readonly byKey: boolean }[];
  readonly clicks: { readonly at: Date; readonly userId: string; readonly actionId: string; readonly params: Record<string, string>; readonly messageId: string }[];
}

export interface SimMedia {
  readonly mediaId: string;
  readonly appKey: string;
  readonly type: string;
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Buffer;
  readonly createdAt: Date;
}

export interface DingtalkCardStore {
  readonly templates: Set<string>;
  readonly cards: Map<string, SimCard>;
  readonly media: Map<string, SimMedia>;
}

const stores = new WeakMap<DingtalkState, DingtalkCardStore>();

export function dingtalkCardsOf(state: DingtalkState): DingtalkCardStore {
  let store = stores.get(state);
  if (!store) {
    store = { templates: new Set(), cards: new Map(), media: new Map() };
    stores.set(state, store);
  }
  return store;
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw newApiErrors.invalidParameter(field, 'invalid', `${field}必须是对象`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    // The API's schema types cardParamMap as Map<String, String>: numbers, arrays and objects are refused. (chosen code)
    if (typeof v !== 'string') throw newApiErrors.invalidParameter(field, 'invalid', `${field}.${k}必须是字符串`);
    out[k] = v;
  }
  return out;
}

function spacesOf(openSpaceId: unknown): CardSpace[] {
  if (typeof openSpaceId !== 'string' || openSpaceId === '') throw newApiErrors.invalidParameter('openSpaceId', 'empty', 'openSpaceId不能为空');
  return openSpaceId.split(';').map((part) => {
    const match = /^dtv1\.card\/\/(IM_GROUP|IM_ROBOT)\.(.+)$/.exec(part.trim());
    if (!match) throw newApiErrors.invalidParameter('openSpaceId', 'invalid', `openSpaceId格式错误：${part}`);
    return { type: match[1] as CardSpace['type'], id: match[2]! };
  });
}

export function createAndDeliverCard(state: DingtalkState, app: DingtalkAppConfig, body: Record<string, unknown>) {
  const store = dingtalkCardsOf(state);
  const templateId = body.cardTemplateId;
  if (typeof templateId !== 'string' || templateId === '') throw newApiErrors.invalidParameter('cardTemplateId', 'empty', 'cardTemplateId不能为空');
  // chosen: a template the organisation never built is refused.
  if (!store.templates.has(templateId)) throw newApiErrors.invalidParameter('cardTemplateId', 'notExist', '卡片模板不存在');
  const outTrackId = body.outTrackId;
  if (typeof outTrackId !== 'string' || outTrackId === '' || outTrackId.length > maxOutTrackIdLength) {
    throw newApiErrors.invalidParameter('outTrackId', 'invalid', `outTrackId不能为空且不超过${maxOutTrackIdLength}个字符`);
  }
  // chosen: outTrackId names one card instance; creating it again is refused.
  if (store.cards.has(outTrackId)) throw newApiErrors.invalidParameter('outTrackId', 'duplicate', 'outTrackId已存在');
  const cardData = body.cardData as { cardParamMap?: unknown } | undefined;
  const cardParamMap = stringMap(cardData?.cardParamMap ?? {}, 'cardParamMap');
  const callbackType = body.callbackType === undefined ? 'HTTP' : body.callbackType;
  if (callbackType !== 'STREAM' && callbackType !== 'HTTP') throw newApiErrors.invalidParameter('callbackType', 'invalid', 'callbackType只能是STREAM或HTTP');
  const spaces = spacesOf(body.openSpaceId);
  const deliverResults = spaces.map((space) => {
    const model = (space.type === 'IM_GROUP' ? body.imGroupOpenDeliverModel : body.imRobotOpenDeliverModel) as { robotCode?: unknown; spaceType?: unknown } | undefined;
    if (!model) throw newApiErrors.invalidParameter(space.type === 'IM_GROUP' ? 'imGroupOpenDeliverModel' : 'imRobotOpenDeliverModel', 'empty', '缺少投放参数');
    if (model.robotCode !== app.robotCode) throw newApiErrors.robotNotFound();
    if (space.type === 'IM_ROBOT' && model.spaceType !== 'IM_ROBOT') throw newApiErrors.invalidParameter('imRobotOpenDeliverModel', 'invalid', 'spaceType必须是IM_ROBOT');
    const known = space.type === 'IM_GROUP' ? state.groups.has(space.id) : state.users.has(space.id);
    return known
      ? { spaceType: space.type, spaceId: space.id, success: true, carrierId: randomBytes(12).toString('hex') }
      : { spaceType: space.type, spaceId: space.id, success: false, errorMsg: space.type === 'IM_GROUP' ? '群不存在或机器人不在群内' : '用户不存在' };
  });
  const now = state.clock.now();
  store.cards.set(outTrackId, { outTrackId, appKey: app.appKey, templateId, callbackType, spaces, cardParamMap, createdAt: now, updates: [], clicks: [] });
  spaces.forEach((space, i) => {
    if (!deliverResults[i]!.success) return;
    const delivered = { via: 'interactiveCard' as const, robotCode: app.robotCode, msgKey: 'interactiveCard', msgParam: { outTrackId, templateId }, receivedAt: now };
    if (space.type === 'IM_GROUP') state.deliverToGroup(space.id, delivered);
    else state.deliverToUser(space.id, delivered);
  });
  return { success: true, result: { outTrackId, deliverResults } };
}

export function updateCard(state: DingtalkState, app: DingtalkAppConfig, body: Record<string, unknown>) {
  const outTrackId = body.outTrackId;
  const card = typeof outTrackId === 'string' ? dingtalkCardsOf(state).cards.get(outTrackId) : undefined;
  // chosen: another app's card is as unknown as a made-up one.
  if (!card || card.appKey !== app.appKey) throw newApiErrors.invalidParameter('outTrackId', 'notExist', '卡片实例不存在');
  const cardData = body.cardData as { cardParamMap?: unknown } | undefined;
  const next = stringMap(cardData?.cardParamMap ?? {}, 'cardParamMap');
  const options = (body.cardUpdateOptions ?? {}) as { updateCardDataByKey?: unknown };
  const byKey = options.updateCardDataByKey === true;
  card.cardParamMap = byKey ? { ...card.cardParamMap, ...next } : next;
  card.updates.push({ at: state.clock.now(), cardParamMap: next, byKey });
  return { success: true, result: true };
}

/** The buttons of a card built from HireBridge's template shape (`buttons`: a JSON string list of {label, key, style}). */
export function buttonsOf(card: SimCard): { label: string; key: string; style: string }[] {
  try {
    const parsed: unknown = JSON.parse(card.cardParamMap.buttons ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((b): b is { label: string; key: string; style?: string } => typeof b?.label === 'string' && typeof b?.key === 'string')
      .map((b) => ({ label: b.label, key: b.key, style: typeof b.style === 'string' ? b.style : 'default' }));
  } catch {
    return [];
  }
}

/**
 * A person clicks a callback button of a card. `actionId` and `params` are what the template's button sends; for
 * HireBridge's template (`hb_button` with `{key, chat: hbChat}`) use `clickButton`. With callbackType STREAM the
 * click goes to the app as a CALLBACK frame (re-pushed until answered); returns its messageId.
 */
export function clickCard(
  state: DingtalkState,
  gateway: StreamGateway,
  input: { outTrackId: string; userId: string; actionId: string; params: Record<string, string> },
): { messageId: string } {
  const card = dingtalkCardsOf(state).cards.get(input.outTrackId);
  if (!card) throw new Error(`no card ${input.outTrackId}`);
  if (!state.users.has(input.userId)) throw new Error(`no DingTalk user ${input.userId}`);
  // A card in a robot's 1:1 chat (IM_ROBOT.<userId>) is only shown to that user: nobody else can click it.
  if (!card.spaces.some((s) => s.type === 'IM_GROUP' || s.id === input.userId)) throw new Error(`card ${input.outTrackId} is not shown to ${input.userId} (a 1:1 card of someone else)`);
  if (card.callbackType !== 'STREAM') throw new Error('this card was created for HTTP callbacks, which the simulator does not push');
  const app = state.apps.get(card.appKey);
  if (!app) throw new Error(`no DingTalk app ${card.appKey}`);
  const data = {
    corpId: app.corpId,
    outTrackId: card.outTrackId,
    userId: input.userId,
    content: JSON.stringify({ cardPrivateData: { actionIds: [input.actionId], params: input.params } }),
  };
  const messageId = gateway.enqueue(app.appKey, 'CALLBACK', TOPIC_CARD, data);
  card.clicks.push({ at: state.clock.now(), userId: input.userId, actionId: input.actionId, params: input.params, messageId });
  return { messageId };
}

/** A click on a button of a card built from HireBridge's documented template (server/src/adapters/dingtalk/card-template.ts). */
export function clickButton(state: DingtalkState, gateway: StreamGateway, input: { outTrackId: string; userId: string; key: string }): { messageId: string } {
  const card = dingtalkCardsOf(state).cards.get(input.outTrackId);
  if (!card) throw new Error(`no card ${input.outTrackId}`);
  if (!buttonsOf(card).some((b) => b.key === input.key)) throw new Error('the card has no such button (any more)');
  return clickCard(state, gateway, { outTrackId: input.outTrackId, userId: input.userId, actionId: 'hb_button', params: { key: input.key, chat: card.cardParamMap.hbChat ?? '' } });
}

const imageSignatures: { type: string; test: (b: Buffer) => boolean }[] = [
  { type: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/gif', test: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8' },
  { type: 'image/bmp', test: (b) => b.subarray(0, 2).toString('latin1') === 'BM' },
];

/** Old-API errcodes of media upload. */
export const mediaErrcodes = {
  missingParameter: 40035,
  /** "不合法的媒体文件类型" (developers' reports for a missing/wrong type). */
  invalidMediaType: 40004,
  /** "不合法的文件大小" (global code table). */
  invalidFileSize: 40006,
  /** chosen: no `media` part in the form ("缺少多媒体文件数据"). */
  missingMedia: 41005,
} as const;

/** `POST /media/upload?access_token=&type=` with the parsed multipart form. Only images are kept by the simulator. */
export function uploadMedia(state: DingtalkState, app: DingtalkAppConfig, type: string | undefined, media: { bytes: Buffer; filename: string; contentType: string } | undefined) {
  if (!type) throw new OapiError(mediaErrcodes.missingParameter, 'type');
  if (!['image', 'voice', 'video', 'file'].includes(type)) throw new OapiError(mediaErrcodes.invalidMediaType, `type ${type}`);
  if (!media) throw new OapiError(mediaErrcodes.missingMedia, 'media');
  if (type !== 'image') throw new OapiError(mediaErrcodes.invalidMediaType, 'the simulator keeps images only');
  if (media.bytes.length < minMediaBytes || media.bytes.length > maxImageBytes) throw new OapiError(mediaErrcodes.invalidFileSize, `${media.bytes.length} bytes`);
  const detected = imageSignatures.find((s) => s.test(media.bytes));
  if (!detected) throw new OapiError(mediaErrcodes.invalidMediaType, '只支持 jpg、gif、png、bmp');
  const mediaId = `@lA${randomBytes(18).toString('base64url')}`;
  const createdAt = state.clock.now();
  dingtalkCardsOf(state).media.set(mediaId, { mediaId, appKey: app.appKey, type, filename: media.filename, contentType: detected.type, bytes: media.bytes, createdAt });
  return { errcode: 0, errmsg: 'ok', type, media_id: mediaId, created_at: createdAt.getTime() };
}

/** sampleImageMsg's photoURL: an uploaded media_id ("@…") must exist and belong to the sending app's corp (chosen). */
export function checkPhotoUrl(state: DingtalkState, app: DingtalkAppConfig, photoURL: unknown): void {
  if (typeof photoURL !== 'string' || photoURL === '') throw newApiErrors.invalidParameter('msgParam', 'invalid', 'msgParam缺少photoURL');
  if (!photoURL.startsWith('@')) return;
  const media = dingtalkCardsOf(state).media.get(photoURL);
  const owner = media ? state.apps.get(media.appKey) : undefined;
  if (!media || owner?.corpId !== app.corpId) throw newApiErrors.invalidParameter('photoURL', 'invalid', '图片mediaId不存在');
}

export { DingtalkApiError };
