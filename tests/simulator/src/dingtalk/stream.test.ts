import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type ManualClock, createManualClock } from '../clock';
import { type Simulator, startSimulator } from '../simulator';
import { TOPIC_ROBOT } from './stream';

const appKey = 'dingstreamapp01';
const appSecret = 'stream-secret-01';

let clock: ManualClock;
let sim: Simulator;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  clock = createManualClock();
  sim = await startSimulator({ clock, dingtalk: { stream: { pollIntervalMs: 10, disconnectGraceMs: 20 } } });
  sim.dingtalk.addApp({ appKey, appSecret, robotCode: appKey, corpId: 'dingcorp01' });
  sim.dingtalk.addUser({ userId: 'manager7675', name: '周敏' });
  sim.dingtalk.addGroup({ openConversationId: 'cidG==', title: '招聘群' });
});
afterEach(async () => {
  for (const s of sockets.splice(0)) {
    s.on('error', () => undefined);
    if (s.readyState !== WebSocket.CLOSED) s.terminate();
  }
  await sim.stop();
});

const subscriptions = [
  { type: 'EVENT', topic: '*' },
  { type: 'CALLBACK', topic: TOPIC_ROBOT },
];

async function open(accept = 'application/json', secret = appSecret) {
  const response = await fetch(`${sim.url}/v1.0/gateway/connections/open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ clientId: appKey, clientSecret: secret, ua: 'test', subscriptions }),
  });
  return { status: response.status, text: await response.text() };
}

interface Frame {
  type: string;
  headers: Record<string, string>;
  data: string;
}

async function connect() {
  const { endpoint, ticket } = JSON.parse((await open()).text) as { endpoint: string; ticket: string };
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
  const ack = (frame: Frame, data: unknown = { response: null }) =>
    socket.send(JSON.stringify({ code: 200, headers: { contentType: 'application/json', messageId: frame.headers.messageId }, message: 'OK', data: JSON.stringify(data) }));
  return { socket, frames, next, ack };
}

const settle = () => new Promise((r) => setTimeout(r, 60));

describe('DingTalk stream gateway', () => {
  it('needs Accept: application/json and valid credentials; a ticket works once', async () => {
    expect((await open('*/*')).text).toMatch(/^<OpenConnectionResponse>/);
    expect(await open('application/json', 'wrong')).toMatchObject({ status: 400, text: expect.stringContaining('invalidClientIdOrSecret') });
    const { endpoint, ticket } = JSON.parse((await open()).text) as { endpoint: string; ticket: string };
    expect(endpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/connect$/);
    const first = new WebSocket(`${endpoint}?ticket=${ticket}`);
    sockets.push(first);
    await new Promise((r) => first.once('open', r));
    const second = new WebSocket(`${endpoint}?ticket=${ticket}`);
    sockets.push(second);
    const status = await new Promise<number | undefined>((r) => second.once('unexpected-response', (_req, res) => r(res.statusCode)));
    expect(status).toBe(401);
    // Opens with valid credentials are counted (the XML answer included); the refused one is not.
    expect(sim.dingtalk.gatewayOpens(appKey)).toBe(2);
  });

  it('pushes a robot message as a CALLBACK frame with the real robot-message fields', async () => {
    const c = await connect();
    const pushed = sim.dingtalk.groupAtBot({ appKey, openConversationId: 'cidG==', userId: 'manager7675', text: '安排面试' });
    const frame = await c.next(1);
    expect(frame).toMatchObject({ type: 'CALLBACK', headers: { topic: TOPIC_ROBOT, messageId: pushed.messageId, contentType: 'application/json' } });
    const data = JSON.parse(frame.data) as Record<string, unknown>;
    expect(data).toMatchObject({
      msgId: pushed.msgId,
      conversationType: '2',
      conversationId: 'cidG==',
      senderStaffId: 'manager7675',
      robotCode: appKey,
      isInAtList: true,
      text: { content: ' 安排面试' },
      sessionWebhook: pushed.sessionWebhook,
      sessionWebhookExpiredTime: clock.now().getTime() + 90 * 60_000,
    });
    // The session webhook answers into the same group.
    const reply = await fetch(pushed.sessionWebhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msgtype: 'text', text: { content: '好的' } }) });
    expect(await reply.json()).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(sim.dingtalk.groupMessages('cidG==')).toHaveLength(1);
  });

  it('pushes an un-acked frame again after 60 s on the clock, and stops once acked', async () => {
    const c = await connect();
    const pushed = sim.dingtalk.userSays({ appKey, userId: 'manager7675', text: '你好' });
    await c.next(1);
    clock.advance(59_000);
    await settle();
    expect(c.frames).toHaveLength(1);
    clock.advance(1_000);
    const again = await c.next(2);
    expect(again.headers.messageId).toBe(pushed.messageId);
    expect(sim.dingtalk.pendingUnacked(appKey)).toHaveLength(1);
    c.ack(again);
    await settle();
    expect(sim.dingtalk.pendingUnacked(appKey)).toHaveLength(0);
    clock.advance(120_000);
    await settle();
    expect(c.frames).toHaveLength(2);
    expect(sim.dingtalk.acks(pushed.messageId)).toHaveLength(1);
  });

  it('duplicates an acked frame when scripted, and treats an EVENT answered LATER as not consumed', async () => {
    const c = await connect();
    sim.dingtalk.duplicateNextAck();
    sim.dingtalk.userSays({ appKey, userId: 'manager7675', text: '一' });
    c.ack(await c.next(1));
    const dup = await c.next(2);
    expect(dup.headers.messageId).toBe(c.frames[0]!.headers.messageId);
    const event = sim.dingtalk.pushEvent({ appKey, eventType: 'user_add_org', data: { UserId: ['u1'] } });
    const eventFrame = await c.next(3);
    expect(eventFrame).toMatchObject({ type: 'EVENT', headers: { eventType: 'user_add_org', eventId: event.eventId } });
    c.ack(eventFrame, { status: 'LATER' });
    await settle();
    expect(sim.dingtalk.pendingUnacked(appKey).map((f) => f.headers.messageId)).toEqual([event.messageId]);
    clock.advance(60_000);
    c.ack(await c.next(4), { status: 'SUCCESS' });
    await settle();
    expect(sim.dingtalk.pendingUnacked(appKey)).toHaveLength(0);
  });

  it('sends ping and disconnect system frames and records the pong', async () => {
    const c = await connect();
    const [pingId] = sim.dingtalk.ping(appKey);
    const ping = await c.next(1);
    expect(ping).toMatchObject({ type: 'SYSTEM', headers: { topic: 'ping', messageId: pingId } });
    c.socket.send(JSON.stringify({ code: 200, headers: ping.headers, message: 'OK', data: ping.data }));
    await settle();
    expect(sim.dingtalk.pongs()).toContain(pingId);
    const closed = new Promise((r) => c.socket.once('close', r));
    expect(sim.dingtalk.sendDisconnect(appKey)).toBe(1);
    expect((await c.next(2)).headers.topic).toBe('disconnect');
    await closed;
    expect(sim.dingtalk.liveConnections(appKey)).toBe(0);
  });
});
