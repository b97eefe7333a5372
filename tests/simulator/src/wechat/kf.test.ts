import { decrypt, getSignature } from '@wecom/crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { startSimulator } from '../simulator';
import { type ReceivedRequest, startCallbackReceiver } from '../testing/callback-receiver';
import { xmlField } from '../wecom/callback-xml';

const corpId = 'wwkfsim000000001';
const kfSecret = 'kf-secret-0001';
const appSecret = 'app-secret-0001';
const openKfId = 'wkSimKf0001';
const callbackToken = 'QDG6eK';
const encodingAesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup() {
  const receiver = await startCallbackReceiver(() => ({ body: '' }));
  const clock = createManualClock(new Date('2026-03-02T09:00:00+08:00'));
  const sim = await startSimulator({ clock, wecom: { callbackTiming: { timeoutMs: 500, retryIntervalMs: 10 } } });
  cleanups.push(receiver.stop, () => sim.stop());
  sim.wecom.addCorp({ corpId, apps: [{ agentId: 1000002, secret: appSecret }], kfSecret, callbackToken, encodingAesKey });
  sim.wechat.addKfAccount({ corpId, openKfId, name: '招聘小助手', callbackUrl: receiver.url });
  async function call(path: string, body: unknown, secret = kfSecret) {
    const tokenAnswer = (await (await fetch(`${sim.url}/cgi-bin/gettoken?corpid=${corpId}&corpsecret=${secret}`)).json()) as { access_token: string };
    const response = await fetch(`${sim.url}${path}?access_token=${encodeURIComponent(tokenAnswer.access_token)}`, { method: 'POST', body: JSON.stringify(body) });
    return (await response.json()) as Record<string, unknown> & { errcode: number };
  }
  return { sim, clock, receiver, call };
}

function openDoorbell(request: ReceivedRequest) {
  const cipherText = xmlField(request.body, 'Encrypt') ?? '';
  const q = request.url.searchParams;
  expect(getSignature(callbackToken, q.get('timestamp') ?? '', q.get('nonce') ?? '', cipherText)).toBe(q.get('msg_signature'));
  const { message, id } = decrypt(encodingAesKey, cipherText);
  expect(id).toBe(corpId);
  return { event: xmlField(message, 'Event'), token: xmlField(message, 'Token') ?? '', openKfId: xmlField(message, 'OpenKfId') };
}

describe('微信客服 simulator', () => {
  it('hands out a contact link whose scene_param comes back in enter_session, announced by a signed doorbell', async () => {
    const { sim, receiver, call } = await setup();
    const { url, errcode } = await call('/cgi-bin/kf/add_contact_way', { open_kfid: openKfId, scene: 'invite' });
    expect(errcode).toBe(0);
    expect(url).toMatch(/^https:\/\/work\.weixin\.qq\.com\/kfid\/kfc.+\?enc_scene=ENC/);
    const opened = await sim.wechat.openKfLink('wang', `${url as string}&scene_param=${encodeURIComponent('inv:面试-1')}`);
    expect(opened.delivery?.ok).toBe(true);
    const bell = openDoorbell(receiver.requests[0]!);
    expect(bell).toMatchObject({ event: 'kf_msg_or_event', openKfId });
    const sync = await call('/cgi-bin/kf/sync_msg', { token: bell.token, open_kfid: openKfId });
    expect(sync).toMatchObject({ errcode: 0, has_more: 0 });
    expect(sync.msg_list).toEqual([
      expect.objectContaining({
        origin: 4,
        msgtype: 'event',
        event: expect.objectContaining({ event_type: 'enter_session', external_userid: opened.externalUserId, scene: 'invite', scene_param: 'inv:面试-1' }),
      }),
    ]);
  });

  it('pages with a replayable cursor, reads only 3 days back and honours the 10-minute doorbell token', async () => {
    const { sim, clock, receiver, call } = await setup();
    await sim.wechat.customerSays('old', openKfId, '很久以前', { ring: false });
    clock.advance(3 * 24 * 3_600_000 + 1000);
    for (let i = 1; i <= 5; i++) await sim.wechat.customerSays('wang', openKfId, `消息 ${i}`, { ring: false });
    await sim.wechat.ringKf(openKfId);
    const { token } = openDoorbell(receiver.requests[0]!);
    const first = await call('/cgi-bin/kf/sync_msg', { token, open_kfid: openKfId, limit: 2 });
    expect(first).toMatchObject({ errcode: 0, has_more: 1 });
    expect((first.msg_list as { text: { content: string } }[]).map((m) => m.text.content)).toEqual(['消息 1', '消息 2']);
    const again = await call('/cgi-bin/kf/sync_msg', { token, open_kfid: openKfId, cursor: first.next_cursor, limit: 2 });
    const replay = await call('/cgi-bin/kf/sync_msg', { token, open_kfid: openKfId, cursor: first.next_cursor, limit: 2 });
    expect(replay.msg_list).toEqual(again.msg_list);
    const last = await call('/cgi-bin/kf/sync_msg', { token, open_kfid: openKfId, cursor: again.next_cursor, limit: 2 });
    expect(last).toMatchObject({ has_more: 0 });
    expect((last.msg_list as unknown[]).length).toBe(1);
    expect((await call('/cgi-bin/kf/sync_msg', { open_kfid: openKfId, cursor: 'forged' })).errcode).toBe(50100);
    clock.advance(10 * 60_000 + 1);
    expect((await call('/cgi-bin/kf/sync_msg', { token, open_kfid: openKfId })).errcode).toBe(95007);
  });

  it('accepts only the kf secret for kf APIs', async () => {
    const { call } = await setup();
    expect((await call('/cgi-bin/kf/sync_msg', { open_kfid: openKfId }, appSecret)).errcode).toBe(48002);
    expect((await call('/cgi-bin/kf/sync_msg', { open_kfid: 'wkUnknown' })).errcode).toBe(95000);
  });

  it('allows 5 replies per customer message within 48 h: 95001 for the 6th, 95002 after 48 h', async () => {
    const { sim, clock, call } = await setup();
    const { externalUserId } = await sim.wechat.customerSays('wang', openKfId, '你好', { ring: false });
    const send = (content: string) => call('/cgi-bin/kf/send_msg', { touser: externalUserId, open_kfid: openKfId, msgtype: 'text', text: { content } });
    for (let i = 1; i <= 5; i++) expect((await send(`回复 ${i}`)).errcode).toBe(0);
    expect((await send('第六条')).errcode).toBe(95001);
    await sim.wechat.customerSays('wang', openKfId, '还在吗', { ring: false });
    expect((await send('在的')).errcode).toBe(0);
    clock.advance(48 * 3_600_000 + 1000);
    expect((await send('过期了')).errcode).toBe(95002);
    expect(sim.wechat.kfReceived(externalUserId).map((m) => m.content)).toEqual(['回复 1', '回复 2', '回复 3', '回复 4', '回复 5', '在的']);
    expect(sim.wechat.kfRefusals(externalUserId).map((r) => r.errcode)).toEqual([95001, 95002]);
  });

  it('delivers msgmenu and turns a tap into a text message with menu_id', async () => {
    const { sim, call } = await setup();
    const { externalUserId } = await sim.wechat.customerSays('wang', openKfId, '你好', { ring: false });
    const menu = {
      touser: externalUserId,
      open_kfid: openKfId,
      msgtype: 'msgmenu',
      msgmenu: {
        head_content: '周三 14:00 二面，请选择：',
        list: [
          { type: 'click', click: { id: 'confirm', content: '确认参加' } },
          { type: 'click', click: { id: 'reschedule', content: '改个时间' } },
        ],
      },
    };
    expect((await call('/cgi-bin/kf/send_msg', menu)).errcode).toBe(0);
    await sim.wechat.clickMenu('wang', openKfId, 'reschedule', { ring: false });
    const sync = await call('/cgi-bin/kf/sync_msg', { open_kfid: openKfId });
    expect((sync.msg_list as unknown[]).at(-1)).toMatchObject({ origin: 3, msgtype: 'text', external_userid: externalUserId, text: { content: '改个时间', menu_id: 'reschedule' } });
    await expect(sim.wechat.clickMenu('wang', openKfId, 'nope')).rejects.toThrow(/no menu/);
    const tooLong = { ...menu, msgmenu: { list: [{ type: 'click', click: { id: 'x'.repeat(65), content: '太长' } }] } };
    expect((await call('/cgi-bin/kf/send_msg', tooLong)).errcode).toBe(40058);
  });
});
