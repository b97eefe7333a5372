import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { WSClient } from '@wecom/aibot-node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createManualClock, type ManualClock } from '../clock';
import { type Simulator, startSimulator } from '../simulator';
import { type ReceivedRequest, type ScriptedAnswer, startCallbackReceiver } from '../testing/callback-receiver';
import { aibotEnvelopeKeys } from './envelope';

const botId = 'aibot-sim-0001';
const secret = 'aibot-secret-0001';
const token = 'QDG6eK';
const encodingAesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** What a bot server does with a callback: verify, decrypt (receive id ""), parse the JSON. */
function openCallback(request: ReceivedRequest) {
  const cipherText = (JSON.parse(request.body) as Record<string, string>)[aibotEnvelopeKeys.request.encrypt]!;
  const q = request.url.searchParams;
  expect(getSignature(token, q.get('timestamp')!, q.get('nonce')!, cipherText)).toBe(q.get('msg_signature'));
  const opened = decrypt(encodingAesKey, cipherText);
  expect(opened.id).toBe('');
  return JSON.parse(opened.message) as Record<string, unknown> & { msgtype: string; stream?: { id: string } };
}

/** A bot server's encrypted passive reply. */
function sealReply(json: unknown, options: { forge?: boolean } = {}) {
  const cipherText = encrypt(encodingAesKey, JSON.stringify(json), '');
  const timestamp = '1700000000';
  const nonce = 'n0nce';
  const k = aibotEnvelopeKeys.reply;
  const signature = options.forge ? '0'.repeat(40) : getSignature(token, timestamp, nonce, cipherText);
  return JSON.stringify({ [k.encrypt]: cipherText, [k.signature]: signature, [k.timestamp]: timestamp, [k.nonce]: nonce });
}

let clock: ManualClock;
let sim: Simulator;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>> | undefined;
let script: (request: ReceivedRequest, index: number) => ScriptedAnswer = () => ({ status: 200 });

beforeEach(async () => {
  script = () => ({ status: 200 });
  clock = createManualClock();
  sim = await startSimulator({ clock, aibot: { timing: { timeoutMs: 500, retryIntervalMs: 5, streamRefreshIntervalMs: 1, maxStreamRefreshes: 5 } } });
  receiver = await startCallbackReceiver((request, index) => script(request, index));
  sim.aibot.addBot({ botId, secret, name: '招聘助手', token, encodingAesKey, callbackUrl: receiver.url });
});

afterEach(async () => {
  await receiver?.stop();
  await sim.stop();
});

describe('AI bot callback mode', () => {
  it('POSTs an encrypted JSON @-mention with the documented fields and retries a failed answer', async () => {
    script = (_request, index) => (index === 0 ? { status: 500 } : { status: 200, body: '' });
    const conversation = await sim.aibot.mention({ botId, chatId: 'wrkSFfCgAAtest', userid: 'zhoumin', text: '今天有哪些面试' });
    expect(conversation.delivery.attempts.map((a) => a.status)).toEqual([500, 200]);
    const payload = openCallback(receiver!.requests[0]!);
    expect(payload).toMatchObject({
      msgid: conversation.msgid,
      aibotid: botId,
      chatid: 'wrkSFfCgAAtest',
      chattype: 'group',
      from: { userid: 'zhoumin' },
      msgtype: 'text',
      text: { content: '@招聘助手 今天有哪些面试' },
    });
    expect(payload.response_url).toBe(conversation.responseUrl);
    // The retry carries the same message.
    expect(openCallback(receiver!.requests[1]!).msgid).toBe(conversation.msgid);
    // 1:1: no chatid, no mention prefix.
    await sim.aibot.mention({ botId, userid: 'zhoumin', text: '帮助' });
    expect(openCallback(receiver!.requests[2]!)).toMatchObject({ chattype: 'single', text: { content: '帮助' } });
    expect(openCallback(receiver!.requests[2]!)).not.toHaveProperty('chatid');
  });

  it('keeps POSTing stream refreshes until the bot finishes its stream', async () => {
    script = () => {
      const refreshes = receiver!.requests.filter((r) => openCallback(r).msgtype === 'stream').length;
      const finish = refreshes >= 3;
      return { status: 200, body: sealReply({ msgtype: 'stream', stream: { id: 's-1', finish, content: finish ? '共 2 场面试' : `处理中 ${refreshes}` } }) };
    };
    const conversation = await sim.aibot.mention({ botId, chatId: 'wrkgroup1', userid: 'zhoumin', text: '今天' });
    expect(conversation.refreshes).toBe(3);
    expect(conversation.stream).toEqual({ id: 's-1', finished: true, content: '共 2 场面试' });
    const refresh = openCallback(receiver!.requests[1]!);
    expect(refresh).toMatchObject({ msgtype: 'stream', stream: { id: 's-1' }, chattype: 'group', chatid: 'wrkgroup1' });
    expect(refresh.msgid).not.toBe(conversation.msgid);
    expect(sim.aibot.chat('wrkgroup1').map((p) => [p.via, p.content])).toEqual([['stream', '共 2 场面试']]);
  });

  it('stops refreshing at the cap or after 6 minutes, and ignores a forged reply', async () => {
    script = () => ({ status: 200, body: sealReply({ msgtype: 'stream', stream: { id: 'never', finish: false, content: '…' } }) });
    const capped = await sim.aibot.mention({ botId, chatId: 'wrkgroup2', userid: 'zhoumin', text: '慢' });
    expect(capped.refreshes).toBe(5);
    expect(capped.stream?.finished).toBe(false);

    script = (_r, index) => {
      clock.advance(7 * 60_000);
      return { status: 200, body: sealReply({ msgtype: 'stream', stream: { id: `late-${index}`, finish: false, content: '…' } }) };
    };
    expect((await sim.aibot.mention({ botId, chatId: 'wrkgroup2', userid: 'zhoumin', text: '更慢' })).refreshes).toBe(0);

    script = () => ({ status: 200, body: sealReply({ msgtype: 'stream', stream: { id: 'x', finish: true, content: '伪造' } }, { forge: true }) });
    const forged = await sim.aibot.mention({ botId, chatId: 'wrkgroup2', userid: 'zhoumin', text: '伪造' });
    expect(forged.replies).toEqual([{ ok: false, reason: 'signature mismatch' }]);
    expect(forged.stream).toBeUndefined();
    expect(sim.aibot.chat('wrkgroup2')).toEqual([]);
  });

  it('passes the URL check only on the bare plaintext', async () => {
    script = (request) => {
      const q = request.url.searchParams;
      const echostr = q.get('echostr')!;
      expect(getSignature(token, q.get('timestamp')!, q.get('nonce')!, echostr)).toBe(q.get('msg_signature'));
      return { status: 200, body: decrypt(encodingAesKey, echostr).message };
    };
    expect((await sim.aibot.verifyCallbackUrl(botId)).ok).toBe(true);
    script = (request) => ({ status: 200, body: `"${decrypt(encodingAesKey, request.url.searchParams.get('echostr')!).message}"` });
    expect((await sim.aibot.verifyCallbackUrl(botId)).ok).toBe(false);
  });
});

describe('AI bot response_url', () => {
  const postTo = async (url: string, body: unknown) => (await (await fetch(url, { method: 'POST', body: JSON.stringify(body) })).json()) as { errcode: number; errmsg: string };
  const markdown = (content: string) => ({ msgtype: 'markdown', markdown: { content } });

  it('accepts exactly one POST within the hour, then refuses', async () => {
    const first = await sim.aibot.mention({ botId, chatId: 'wrkgroup3', userid: 'zhoumin', text: '一' });
    expect((await postTo(first.responseUrl, markdown('**结果**：2 场'))).errcode).toBe(0);
    expect((await postTo(first.responseUrl, markdown('再来一次'))).errcode).toBe(40058);
    expect(sim.aibot.responseUrlUse(first.responseUrl)).toEqual({ used: true, refusals: 1 });
    expect(sim.aibot.chat('wrkgroup3').map((p) => [p.via, p.content])).toEqual([['response_url', '**结果**：2 场']]);

    const late = await sim.aibot.mention({ botId, chatId: 'wrkgroup3', userid: 'zhoumin', text: '二' });
    clock.advance(3_600_001);
    expect((await postTo(late.responseUrl, markdown('太晚了'))).errcode).toBe(40058);

    const bad = await sim.aibot.mention({ botId, userid: 'zhoumin', text: '三' });
    expect((await postTo(bad.responseUrl, { msgtype: 'text', text: { content: 'x' } })).errcode).toBe(40008);
    expect((await postTo(bad.responseUrl, markdown(''))).errcode).toBe(44004);
    // Refused bodies do not use the URL up.
    expect((await postTo(bad.responseUrl, { msgtype: 'template_card', template_card: { card_type: 'text_notice', main_title: { title: '提醒' } } })).errcode).toBe(0);
    expect((await postTo(`${sim.url}/cgi-bin/aibot/response?response_code=nope`, markdown('x'))).errcode).toBe(40058);
  });
});

describe('AI bot long connection, driven by the official SDK', () => {
  const clients: WSClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  const connect = async (options: Partial<ConstructorParameters<typeof WSClient>[0]> = {}) => {
    const client = new WSClient({ botId, secret, wsUrl: sim.aibot.wsUrl, logger: silent, reconnectInterval: 20, heartbeatInterval: 60_000, ...options });
    clients.push(client);
    client.on('error', () => undefined);
    const authenticated = new Promise<void>((resolve) => client.once('authenticated', () => resolve()));
    client.connect();
    await authenticated;
    return client;
  };

  it('subscribes, receives a group @-mention, and has its stream reply acknowledged', async () => {
    const client = await connect();
    const received = new Promise<{ headers: { req_id: string }; body: Record<string, unknown> }>((resolve) => client.on('message.text', (frame) => resolve(frame as never)));
    const pushed = sim.aibot.push(botId, { chatId: 'wrkgroup4', userid: 'zhoumin', text: '今天' });
    const frame = await received;
    expect(frame.headers.req_id).toBe(pushed.reqId);
    expect(frame.body).toMatchObject({ msgid: pushed.msgid, aibotid: botId, chatid: 'wrkgroup4', chattype: 'group', text: { content: '@招聘助手 今天' } });
    const ack = await client.replyStream(frame, 'stream-1', '收到', true);
    expect(ack.errcode).toBe(0);
    expect(sim.aibot.callback(pushed.reqId)?.responses.map((r) => r.errcode)).toEqual([0]);
    expect(sim.aibot.chat('wrkgroup4').map((p) => [p.via, p.content])).toEqual([['long_connection_reply', '收到']]);
    // A finished stream cannot be written again; an unknown req_id is refused.
    await expect(client.replyStream(frame, 'stream-1', '再写', true)).rejects.toMatchObject({ errcode: 846608 });
    await expect(client.replyStream({ headers: { req_id: 'not-issued' } }, 's', 'x', true)).rejects.toMatchObject({ errcode: 846605 });
  });

  it('refuses a wrong secret, answers heartbeats and takes proactive pushes', async () => {
    const wrong = new WSClient({ botId, secret: 'wrong', wsUrl: sim.aibot.wsUrl, logger: silent, maxAuthFailureAttempts: 0 });
    clients.push(wrong);
    const failed = new Promise<Error>((resolve) => wrong.on('error', resolve));
    wrong.connect();
    expect((await failed).message).toMatch(/Authentication failed/);
    expect(sim.aibot.isConnected(botId)).toBe(false);

    const client = await connect({ heartbeatInterval: 20 });
    await sim.aibot.waitFor(() => sim.aibot.heartbeats(botId) >= 2);
    sim.aibot.addGroup('wrkgroup5');
    expect((await client.sendMessage('wrkgroup5', { msgtype: 'markdown', markdown: { content: '明天 10:00 二面' } })).errcode).toBe(0);
    expect((await client.sendMessage('zhoumin', { msgtype: 'markdown', markdown: { content: '单聊提醒' } })).errcode).toBe(0);
    await expect(client.sendMessage('wrkgroup5', { msgtype: 'text', text: { content: 'x' } } as never)).rejects.toMatchObject({ errcode: 40008 });
    expect(sim.aibot.chat('wrkgroup5').map((p) => [p.via, p.content])).toEqual([['push', '明天 10:00 二面']]);
    expect(sim.aibot.chat('single:zhoumin').map((p) => p.content)).toEqual(['单聊提醒']);
  });

  it('lets the SDK reconnect after a dropped socket, and tells a replaced connection why it is closed', async () => {
    const client = await connect();
    const reauthenticated = new Promise<void>((resolve) => client.once('authenticated', () => resolve()));
    expect(sim.aibot.dropConnection(botId)).toBe(true);
    await reauthenticated;
    expect(sim.aibot.authentications(botId)).toBe(2);

    const kicked = new Promise<unknown>((resolve) => client.on('event.disconnected_event', resolve));
    await connect();
    await kicked;
    expect(sim.aibot.authentications(botId)).toBe(3);
    // Only the newest connection receives pushes; a frame sent before subscribing is refused.
    const raw = new WebSocket(sim.aibot.wsUrl);
    const answer = await new Promise<Record<string, unknown>>((resolve) => {
      raw.on('open', () => raw.send(JSON.stringify({ cmd: 'ping', headers: { req_id: 'ping_1' } })));
      raw.on('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
    });
    raw.terminate();
    expect(answer).toMatchObject({ headers: { req_id: 'ping_1' }, errcode: 40001 });
  });
});
