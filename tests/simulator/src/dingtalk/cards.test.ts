import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type ManualClock, createManualClock } from '../clock';
import { type Simulator, startSimulator } from '../simulator';
import { TOPIC_CARD } from './cards';

const appKey = 'dingcardsapp01';
const appSecret = 'cards-secret-01';
const cid = 'cidCards==';
const template = 'hb-template-01.schema';
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);

let clock: ManualClock;
let sim: Simulator;
let token: string;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  clock = createManualClock(new Date('2026-03-02T09:00:00+08:00'));
  sim = await startSimulator({ clock, dingtalk: { stream: { pollIntervalMs: 10, disconnectGraceMs: 20 } } });
  sim.dingtalk.addApp({ appKey, appSecret, robotCode: appKey, corpId: 'dingcardscorp' });
  sim.dingtalk.addApp({ appKey: 'dingotherapp', appSecret: 'x', robotCode: 'dingotherapp', corpId: 'dingothercorp' });
  sim.dingtalk.addUser({ userId: 'manager7675', name: '周敏' });
  sim.dingtalk.addGroup({ openConversationId: cid, title: '招聘群' });
  sim.dingtalk.addCardTemplate(template);
  token = ((await (await fetch(`${sim.url}/v1.0/oauth2/accessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appKey, appSecret }) })).json()) as { accessToken: string }).accessToken;
});
afterEach(async () => {
  for (const s of sockets.splice(0)) {
    s.on('error', () => undefined);
    if (s.readyState !== WebSocket.CLOSED) s.terminate();
  }
  await sim.stop();
});

async function call(method: string, path: string, body: unknown, accessToken: string | undefined = token) {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(accessToken ? { 'x-acs-dingtalk-access-token': accessToken } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const cardBody = (overrides: Record<string, unknown> = {}) => ({
  cardTemplateId: template,
  outTrackId: 'hb_card_0001',
  cardData: { cardParamMap: { title: '确认取消这场面试？', markdown: '林** · 前端', buttons: JSON.stringify([{ label: '确认取消', key: 'k-yes', style: 'danger' }, { label: '不取消', key: 'k-no', style: 'default' }]), hbChat: `group:${cid}`, status: '' } },
  callbackType: 'STREAM',
  openSpaceId: `dtv1.card//IM_GROUP.${cid}`,
  imGroupOpenSpaceModel: { supportForward: false },
  imGroupOpenDeliverModel: { robotCode: appKey },
  ...overrides,
});

async function upload(bytes: Buffer, query = `type=image`, accessToken = token, field = 'media') {
  const form = new FormData();
  form.append(field, new Blob([bytes], { type: 'image/png' }), 'chart.png');
  const response = await fetch(`${sim.url}/media/upload?access_token=${accessToken}&${query}`, { method: 'POST', body: form });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface Frame {
  type: string;
  headers: Record<string, string>;
  data: string;
}

async function connect() {
  const opened = await fetch(`${sim.url}/v1.0/gateway/connections/open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ clientId: appKey, clientSecret: appSecret, ua: 'test', subscriptions: [{ type: 'CALLBACK', topic: TOPIC_CARD }] }),
  });
  const { endpoint, ticket } = (await opened.json()) as { endpoint: string; ticket: string };
  const socket = new WebSocket(`${endpoint}?ticket=${ticket}`);
  sockets.push(socket);
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (raw) => {
    frames.push(JSON.parse(raw.toString()) as Frame);
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = async (count: number) => {
    while (frames.length < count) await new Promise<void>((r) => waiters.push(r));
    return frames[count - 1]!;
  };
  const ack = (frame: Frame) =>
    socket.send(JSON.stringify({ code: 200, headers: { contentType: 'application/json', messageId: frame.headers.messageId }, message: 'OK', data: JSON.stringify({ response: {} }) }));
  return { frames, next, ack };
}

const settle = () => new Promise((r) => setTimeout(r, 60));

describe('DingTalk interactive cards', () => {
  it('creates and delivers a card into a group, reporting per space; refuses what DingTalk refuses', async () => {
    const created = await call('POST', '/v1.0/card/instances/createAndDeliver', cardBody());
    expect(created).toMatchObject({ status: 200, body: { success: true, result: { outTrackId: 'hb_card_0001', deliverResults: [{ spaceType: 'IM_GROUP', spaceId: cid, success: true }] } } });
    expect(sim.dingtalk.groupMessages(cid)).toMatchObject([{ via: 'interactiveCard', msgParam: { outTrackId: 'hb_card_0001' } }]);
    expect(sim.dingtalk.cardButtons('hb_card_0001').map((b) => b.label)).toEqual(['确认取消', '不取消']);

    expect(await call('POST', '/v1.0/card/instances/createAndDeliver', cardBody())).toMatchObject({ status: 400, body: { code: 'invalidParameter.outTrackId.duplicate' } });
    expect(await call('POST', '/v1.0/card/instances/createAndDeliver', cardBody({ outTrackId: 'x', cardTemplateId: 'nope.schema' }))).toMatchObject({ status: 400, body: { code: 'invalidParameter.cardTemplateId.notExist' } });
    expect(await call('POST', '/v1.0/card/instances/createAndDeliver', cardBody({ outTrackId: 'y'.repeat(65) }))).toMatchObject({ status: 400, body: { code: 'invalidParameter.outTrackId.invalid' } });
    expect(await call('POST', '/v1.0/card/instances/createAndDeliver', cardBody({ outTrackId: 'z', cardData: { cardParamMap: { title: 1 } } }))).toMatchObject({ status: 400, body: { code: 'invalidParameter.cardParamMap.invalid' } });
    expect(await call('POST', '/v1.0/card/instances/createAndDeliver', cardBody({ outTrackId: 'w', imGroupOpenDeliverModel: { robotCode: 'dingotherapp' } }))).toMatchObject({ status: 400, body: { code: 'invalidParameter.robotCode.notExsit' } });
    expect(await call('POST', '/v1.0/card/instances/createAndDeliver', cardBody({ outTrackId: 'v' }), '')).toMatchObject({ status: 400, body: { code: 'AuthenticationFailed.MissingParameter' } });
    // An unknown group is a failed delivery in the answer, not an HTTP error.
    expect(await call('POST', '/v1.0/card/instances/createAndDeliver', cardBody({ outTrackId: 'u', openSpaceId: 'dtv1.card//IM_GROUP.cidNope==' }))).toMatchObject({
      status: 200,
      body: { result: { deliverResults: [{ spaceId: 'cidNope==', success: false }] } },
    });
  });

  it('updates a card by key for everyone; only its own app may', async () => {
    await call('POST', '/v1.0/card/instances/createAndDeliver', cardBody());
    const update = { outTrackId: 'hb_card_0001', cardData: { cardParamMap: { status: '已处理 · 周敏', buttons: '[]' } }, cardUpdateOptions: { updateCardDataByKey: true } };
    expect(await call('PUT', '/v1.0/card/instances', update)).toMatchObject({ status: 200, body: { success: true, result: true } });
    expect(sim.dingtalk.card('hb_card_0001')!.cardParamMap).toMatchObject({ title: '确认取消这场面试？', status: '已处理 · 周敏' });
    expect(sim.dingtalk.cardButtons('hb_card_0001')).toEqual([]);
    expect(await call('PUT', '/v1.0/card/instances', { ...update, outTrackId: 'unknown' })).toMatchObject({ status: 400, body: { code: 'invalidParameter.outTrackId.notExist' } });
  });

  it('pushes a button click as a CALLBACK frame on the card topic, again after 60 s until acked', async () => {
    await call('POST', '/v1.0/card/instances/createAndDeliver', cardBody());
    const c = await connect();
    const { messageId } = sim.dingtalk.clickCardButton({ outTrackId: 'hb_card_0001', userId: 'manager7675', key: 'k-yes' });
    const frame = await c.next(1);
    expect(frame).toMatchObject({ type: 'CALLBACK', headers: { topic: TOPIC_CARD, messageId } });
    const data = JSON.parse(frame.data) as { corpId: string; outTrackId: string; userId: string; content: string };
    expect(data).toMatchObject({ corpId: 'dingcardscorp', outTrackId: 'hb_card_0001', userId: 'manager7675' });
    expect(JSON.parse(data.content)).toEqual({ cardPrivateData: { actionIds: ['hb_button'], params: { key: 'k-yes', chat: `group:${cid}` } } });

    clock.advance(59_000);
    await settle();
    expect(c.frames).toHaveLength(1);
    clock.advance(1_000);
    await c.next(2);
    expect(sim.dingtalk.pushes(messageId)).toBe(2);
    c.ack(c.frames[1]!);
    await settle();
    clock.advance(120_000);
    await settle();
    expect(c.frames).toHaveLength(2);
    expect(sim.dingtalk.acks(messageId)).toMatchObject([{ code: 200 }]);
    expect(() => sim.dingtalk.clickCardButton({ outTrackId: 'hb_card_0001', userId: 'manager7675', key: 'not-a-button' })).toThrow(/no such button/);
  });
});

describe('DingTalk media upload and image messages', () => {
  it('uploads a PNG as multipart `media` and sends it with sampleImageMsg by media_id', async () => {
    const uploaded = await upload(png);
    expect(uploaded).toMatchObject({ status: 200, body: { errcode: 0, type: 'image', media_id: expect.stringMatching(/^@/) } });
    const mediaId = uploaded.body.media_id as string;
    expect(sim.dingtalk.media(mediaId)!.bytes.equals(png)).toBe(true);
    const sent = await call('POST', '/v1.0/robot/groupMessages/send', { robotCode: appKey, openConversationId: cid, msgKey: 'sampleImageMsg', msgParam: JSON.stringify({ photoURL: mediaId }) });
    expect(sent.status).toBe(200);
    expect(sim.dingtalk.groupMessages(cid).at(-1)).toMatchObject({ msgKey: 'sampleImageMsg', msgParam: { photoURL: mediaId } });
    expect(await call('POST', '/v1.0/robot/groupMessages/send', { robotCode: appKey, openConversationId: cid, msgKey: 'sampleImageMsg', msgParam: JSON.stringify({ photoURL: '@lAmadeup' }) })).toMatchObject({
      status: 400,
      body: { code: 'invalidParameter.photoURL.invalid' },
    });
  });

  it('answers bad uploads with old-API errcodes (HTTP 200)', async () => {
    expect(await upload(png, 'type=image', 'badtoken')).toMatchObject({ status: 200, body: { errcode: 40014 } });
    expect(await upload(png, '')).toMatchObject({ body: { errcode: 40035 } });
    expect(await upload(png, 'type=picture')).toMatchObject({ body: { errcode: 40004 } });
    expect(await upload(png, 'type=image', token, 'file')).toMatchObject({ body: { errcode: 41005 } });
    expect(await upload(Buffer.from('%PDF-1.7 not an image'), 'type=image')).toMatchObject({ body: { errcode: 40004 } });
    expect(await upload(Buffer.from([0x89, 0x50]), 'type=image')).toMatchObject({ body: { errcode: 40006 } });
  });
});

describe('DingTalk group page with cards and images', () => {
  it('shows a card with clickable buttons, clicks as the chosen member, and shows uploaded images', async () => {
    await call('POST', '/v1.0/card/instances/createAndDeliver', cardBody());
    const mediaId = (await upload(png)).body.media_id as string;
    await call('POST', '/v1.0/robot/groupMessages/send', { robotCode: appKey, openConversationId: cid, msgKey: 'sampleImageMsg', msgParam: JSON.stringify({ photoURL: mediaId }) });
    const page = await (await fetch(`${sim.url}/groups/dingtalk/${encodeURIComponent(cid)}`)).text();
    expect(page).toContain('确认取消这场面试？');
    expect(page).toContain('data-key="k-yes"');
    expect(page).toContain(`/groups/dingtalk/${encodeURIComponent(cid)}/click`);
    expect(page).toContain(`src="/media/dingtalk/${encodeURIComponent(mediaId)}"`);
    const image = await fetch(`${sim.url}/media/dingtalk/${encodeURIComponent(mediaId)}`);
    expect(image.headers.get('content-type')).toBe('image/png');

    const c = await connect();
    const click = await fetch(`${sim.url}/groups/dingtalk/${encodeURIComponent(cid)}/click`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ outTrackId: 'hb_card_0001', userId: 'manager7675', key: 'k-no' }).toString(),
    });
    expect(click.status).toBe(303);
    const frame = await c.next(1);
    expect(JSON.parse((JSON.parse(frame.data) as { content: string }).content)).toMatchObject({ cardPrivateData: { params: { key: 'k-no' } } });
  });
});

describe('DingTalk interactive cards in a robot 1:1 chat (IM_ROBOT)', () => {
  const robotCard = (overrides: Record<string, unknown> = {}) =>
    cardBody({
      outTrackId: 'hb_card_oto1',
      openSpaceId: 'dtv1.card//IM_ROBOT.manager7675',
      imGroupOpenSpaceModel: undefined,
      imGroupOpenDeliverModel: undefined,
      imRobotOpenSpaceModel: { supportForward: false },
      imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: appKey },
      cardData: { cardParamMap: { title: '确认取消这场面试？', markdown: '林** · 前端', buttons: JSON.stringify([{ label: '确认取消', key: 'k-yes', style: 'danger' }]), hbChat: 'single:manager7675', status: '' } },
      ...overrides,
    });

  it("delivers into the user's robot chat; checks robotCode, spaceType and that the robot can reach the user", async () => {
    expect(await call('POST', '/v1.0/card/instances/createAndDeliver', robotCard())).toMatchObject({
      status: 200,
      body: { result: { deliverResults: [{ spaceType: 'IM_ROBOT', spaceId: 'manager7675', success: true }] } },
    });
    expect(sim.dingtalk.received('manager7675')).toMatchObject([{ via: 'interactiveCard', msgParam: { outTrackId: 'hb_card_oto1' } }]);
    expect(await call('POST', '/v1.0/card/instances/createAndDeliver', robotCard({ outTrackId: 'a', imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: 'dingotherapp' } }))).toMatchObject({ status: 400, body: { code: 'invalidParameter.robotCode.notExsit' } });
    expect(await call('POST', '/v1.0/card/instances/createAndDeliver', robotCard({ outTrackId: 'b', imRobotOpenDeliverModel: { robotCode: appKey } }))).toMatchObject({ status: 400, body: { code: 'invalidParameter.imRobotOpenDeliverModel.invalid' } });
    expect(await call('POST', '/v1.0/card/instances/createAndDeliver', robotCard({ outTrackId: 'c', imRobotOpenDeliverModel: undefined }))).toMatchObject({ status: 400, body: { code: 'invalidParameter.imRobotOpenDeliverModel.empty' } });
    // Like oToMessages/batchSend's invalidStaffIdList: a user the robot cannot reach is a failed delivery, not an HTTP error.
    expect(await call('POST', '/v1.0/card/instances/createAndDeliver', robotCard({ outTrackId: 'd', openSpaceId: 'dtv1.card//IM_ROBOT.nobody' }))).toMatchObject({
      status: 200,
      body: { result: { deliverResults: [{ spaceType: 'IM_ROBOT', spaceId: 'nobody', success: false }] } },
    });
    expect(sim.dingtalk.received('nobody')).toEqual([]);
  });

  it("shows the card on the user's 1:1 page, clicks only as that user, and pushes the click over Stream", async () => {
    sim.dingtalk.addUser({ userId: 'hr0001', name: '刘洋' });
    await call('POST', '/v1.0/card/instances/createAndDeliver', robotCard());
    const path = `/people/dingtalk/manager7675`;
    const page = await (await fetch(`${sim.url}${path}`)).text();
    expect(page).toContain('确认取消这场面试？');
    expect(page).toContain('data-key="k-yes"');
    expect(page).toContain(`action="${path}/click"`);
    expect(page).toContain('<input type="hidden" name="userId" value="manager7675">');
    // Nobody else sees it: not on their page, no click as them.
    expect(await (await fetch(`${sim.url}/people/dingtalk/hr0001`)).text()).not.toContain('data-key="k-yes"');
    expect(() => sim.dingtalk.clickCardButton({ outTrackId: 'hb_card_oto1', userId: 'hr0001', key: 'k-yes' })).toThrow(/not shown to hr0001/);
    const post = (p: string, userId: string) =>
      fetch(`${sim.url}${p}/click`, {
        method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ outTrackId: 'hb_card_oto1', userId, key: 'k-yes' }).toString(),
      });
    expect((await post(path, 'hr0001')).status).toBe(403);
    const elsewhere = await post('/people/dingtalk/hr0001', 'hr0001');
    expect(elsewhere.status).toBe(303);
    expect(decodeURIComponent(elsewhere.headers.get('location') ?? '')).toContain('该用户的单聊里没有这张卡片');
    expect(sim.dingtalk.card('hb_card_oto1')!.clicks).toEqual([]);

    const c = await connect();
    expect((await post(path, 'manager7675')).status).toBe(303);
    const frame = await c.next(1);
    const data = JSON.parse(frame.data) as { userId: string; outTrackId: string; content: string };
    expect(data).toMatchObject({ userId: 'manager7675', outTrackId: 'hb_card_oto1' });
    expect(JSON.parse(data.content)).toMatchObject({ cardPrivateData: { actionIds: ['hb_button'], params: { key: 'k-yes', chat: 'single:manager7675' } } });
  });
});
