import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type ReceivedRequest, type ScriptedAnswer, startCallbackReceiver } from '../testing/callback-receiver';
import {
  agentId,
  buttonCard,
  callbackToken,
  corpId,
  encodingAesKey,
  startWecomFixture,
} from '../testing/wecom-fixture';
import { cdata, textMessageXml, xmlField } from './callback-xml';

type Receiver = Awaited<ReturnType<typeof startCallbackReceiver>>;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup(answer: (request: ReceivedRequest, index: number) => ScriptedAnswer, timeoutMs = 500) {
  const receiver: Receiver = await startCallbackReceiver(answer);
  const f = await startWecomFixture({ callbackUrl: receiver.url, callbackTiming: { timeoutMs, verifyTimeoutMs: timeoutMs } });
  cleanups.push(receiver.stop, f.stop);
  return { receiver, f };
}

/** What an app must do with a POST callback: check the signature over the Encrypt text, then decrypt. */
function openCallback(request: ReceivedRequest) {
  const cipherText = xmlField(request.body, 'Encrypt') ?? '';
  const q = request.url.searchParams;
  const signatureOk = getSignature(callbackToken, q.get('timestamp') ?? '', q.get('nonce') ?? '', cipherText) === q.get('msg_signature');
  return { signatureOk, ...decrypt(encodingAesKey, cipherText) };
}

const inner = '<xml><ToUserName><![CDATA[x]]></ToUserName><Content><![CDATA[面试 & <确认>]]></Content></xml>';

describe('WeCom callback delivery', () => {
  it('posts the inner XML encrypted for the corp, signed, with a timestamp from the clock', async () => {
    const { receiver, f } = await setup(() => ({ body: '' }));
    const report = await f.sim.wecom.deliver(corpId, agentId, inner);
    expect(report.ok).toBe(true);
    expect(report.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 200 })]);
    const [request] = receiver.requests;
    if (!request) throw new Error('no request');
    expect(request.method).toBe('POST');
    expect(xmlField(request.body, 'ToUserName')).toBe(corpId);
    expect(xmlField(request.body, 'AgentID')).toBe(String(agentId));
    const opened = openCallback(request);
    expect(opened).toMatchObject({ signatureOk: true, message: inner, id: corpId });
    expect(Number(request.url.searchParams.get('timestamp'))).toBe(Math.floor(f.clock.now().getTime() / 1000));
  });

  it('retries a 500 answer three times, then gives up', async () => {
    const { receiver, f } = await setup(() => ({ status: 500 }));
    const report = await f.sim.wecom.deliver(corpId, agentId, inner);
    expect(report.ok).toBe(false);
    expect(report.attempts.map((a) => a.status)).toEqual([500, 500, 500, 500]);
    expect(receiver.requests).toHaveLength(4);
    // Every attempt carries the same message, so the app can de-duplicate.
    expect(new Set(receiver.requests.map((r) => openCallback(r).message)).size).toBe(1);
  });

  it('stops retrying at the first 200', async () => {
    const { receiver, f } = await setup((_, i) => ({ status: i < 2 ? 503 : 200 }));
    const report = await f.sim.wecom.deliver(corpId, agentId, inner);
    expect(report.ok).toBe(true);
    expect(report.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(receiver.requests).toHaveLength(3);
  });

  it('treats an answer slower than the timeout as failed and retries', async () => {
    const { receiver, f } = await setup((_, i) => ({ delayMs: i === 0 ? 600 : 0 }), 200);
    const report = await f.sim.wecom.deliver(corpId, agentId, inner);
    expect(report.ok).toBe(true);
    expect(report.attempts[0]).toMatchObject({ attempt: 1, error: 'timeout' });
    expect(report.attempts[0]?.status).toBeUndefined();
    expect(report.attempts[0]?.latencyMs).toBeGreaterThanOrEqual(190);
    expect(report.attempts[1]).toMatchObject({ attempt: 2, status: 200 });
    expect(receiver.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('delivers a member text message exactly shaped like WeCom', async () => {
    const { receiver, f } = await setup(() => ({}));
    await f.sim.wecom.memberSays(corpId, agentId, 'lisi', '我要改期');
    const xml = openCallback(receiver.requests[0] as ReceivedRequest).message;
    expect(xmlField(xml, 'MsgType')).toBe('text');
    expect(xmlField(xml, 'Content')).toBe('我要改期');
    expect(xmlField(xml, 'FromUserName')).toBe('lisi');
    expect(xmlField(xml, 'AgentID')).toBe(String(agentId));
    expect(xmlField(xml, 'MsgId')).toMatch(/^\d+$/);
    expect(Number(xmlField(xml, 'CreateTime'))).toBe(Math.floor(f.clock.now().getTime() / 1000));
  });

  it('delivers change_contact events with ChangeType and UserID', async () => {
    const { receiver, f } = await setup(() => ({}));
    await f.sim.wecom.contactChanged(corpId, agentId, 'update_user', 'ZhangSan');
    const xml = openCallback(receiver.requests[0] as ReceivedRequest).message;
    expect(xmlField(xml, 'Event')).toBe('change_contact');
    expect(xmlField(xml, 'ChangeType')).toBe('update_user');
    expect(xmlField(xml, 'UserID')).toBe('ZhangSan');
    expect(xmlField(xml, 'Department')).toBe('2');
  });

  it('keeps "]]>" in content intact inside CDATA', () => {
    const xml = textMessageXml({ corpId, fromUser: 'a', content: 'x]]>y', agentId, createTime: 1, msgId: '1' });
    expect(xml).toContain(cdata('x]]>y'));
    expect(cdata('x]]>y')).toBe('<![CDATA[x]]]]><![CDATA[>y]]>');
  });
});

describe('WeCom callback URL verification', () => {
  /** A correct app: verify the signature over echostr, decrypt it, answer the bare plaintext. */
  const echo =
    (decorate: (plain: string) => string = (p) => p, delayMs = 0) =>
    (request: ReceivedRequest): ScriptedAnswer => {
      const q = request.url.searchParams;
      const echostr = q.get('echostr') ?? '';
      const valid = getSignature(callbackToken, q.get('timestamp') ?? '', q.get('nonce') ?? '', echostr) === q.get('msg_signature');
      if (!valid) return { status: 403 };
      return { body: decorate(decrypt(encodingAesKey, echostr).message), delayMs };
    };

  it('accepts the exact bare plaintext of echostr', async () => {
    const { receiver, f } = await setup(echo());
    const result = await f.sim.wecom.verifyCallbackUrl(corpId);
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.body).toBe(result.expected);
    expect(receiver.requests[0]?.method).toBe('GET');
  });

  it('rejects quoted, JSON, or newline-terminated answers', async () => {
    for (const decorate of [(p: string) => `"${p}"`, (p: string) => JSON.stringify({ echostr: p }), (p: string) => `${p}\n`]) {
      const { f } = await setup(echo(decorate));
      expect((await f.sim.wecom.verifyCallbackUrl(corpId)).ok).toBe(false);
    }
  });

  it('rejects an answer that comes after the deadline', async () => {
    const { f } = await setup(echo(undefined, 400), 150);
    const result = await f.sim.wecom.verifyCallbackUrl(corpId);
    expect(result).toMatchObject({ ok: false, error: 'timeout' });
  });

  it('URL-encodes echostr so that "+" and "/" survive', async () => {
    const { receiver, f } = await setup(echo());
    for (let i = 0; i < 5; i += 1) expect((await f.sim.wecom.verifyCallbackUrl(corpId)).ok).toBe(true);
    const raw = receiver.requests.map((r) => r.url.search).join('');
    expect(raw).not.toMatch(/echostr=[^&]*[+/]/);
  });
});

describe('WeCom card clicks', () => {
  it('delivers template_card_event with a fresh ResponseCode that update_template_card accepts once', async () => {
    const { receiver, f } = await setup(() => ({}));
    const token = await f.api.token();
    const sent = await f.api.send(buttonCard('lisi', 'interview_7'), token);
    const click = await f.sim.wecom.clickCard('lisi', 'interview_7', 'accept');
    expect(click.delivery.ok).toBe(true);
    expect(click.responseCode).not.toBe(sent.response_code);
    const xml = openCallback(receiver.requests[0] as ReceivedRequest).message;
    expect(xmlField(xml, 'Event')).toBe('template_card_event');
    expect(xmlField(xml, 'EventKey')).toBe('accept');
    expect(xmlField(xml, 'TaskId')).toBe('interview_7');
    expect(xmlField(xml, 'CardType')).toBe('button_interaction');
    expect(xmlField(xml, 'ResponseCode')).toBe(click.responseCode);
    const update = (code: string) =>
      f.api.post(
        '/cgi-bin/message/update_template_card',
        { access_token: token },
        { agentid: agentId, userids: ['lisi'], response_code: code, button: { replace_name: '已接受' } },
      );
    expect((await update(click.responseCode)).errcode).toBe(0);
    expect((await update(click.responseCode)).errcode).toBe(40058);
    expect(f.sim.wecom.received('lisi')[0]?.card?.replaceName).toBe('已接受');
    await expect(f.sim.wecom.clickCard('lisi', 'interview_7', 'accept')).rejects.toThrow(/already handled/);
  });

  it('greys the card when the app answers the click with an encrypted update_button passive reply', async () => {
    const { f } = await setup(() => {
      const reply = '<xml><ToUserName><![CDATA[lisi]]></ToUserName><FromUserName><![CDATA[wx]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[update_button]]></MsgType><Button><ReplaceName><![CDATA[已改期]]></ReplaceName></Button></xml>';
      const cipherText = encrypt(encodingAesKey, reply, corpId);
      const signature = getSignature(callbackToken, '1700000000', '42', cipherText);
      return {
        body: `<xml><Encrypt><![CDATA[${cipherText}]]></Encrypt><MsgSignature><![CDATA[${signature}]]></MsgSignature><TimeStamp>1700000000</TimeStamp><Nonce><![CDATA[42]]></Nonce></xml>`,
      };
    });
    await f.api.send(buttonCard('lisi', 'interview_8'));
    const click = await f.sim.wecom.clickCard('lisi', 'interview_8', 'reschedule');
    expect(click.passiveReply).toMatchObject({ ok: true });
    expect(f.sim.wecom.received('lisi')[0]?.card?.replaceName).toBe('已改期');
  });

  it('refuses a click on a button the card does not have', async () => {
    const { f } = await setup(() => ({}));
    await f.api.send(buttonCard('lisi', 'interview_9'));
    await expect(f.sim.wecom.clickCard('lisi', 'interview_9', 'nope')).rejects.toThrow(/no button/);
    await expect(f.sim.wecom.clickCard('lisi', 'unknown', 'accept')).rejects.toThrow(/no card/);
  });
});
