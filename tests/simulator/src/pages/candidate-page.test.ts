import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { startSimulator } from '../simulator';
import { startCallbackReceiver } from '../testing/callback-receiver';

const corpId = 'wwpages000000001';
const kfSecret = 'kf-secret-pages';
const openKfId = 'wkPagesKf01';
const appId = 'wxpages0000000001';
const mpSecret = 'mp-secret';
const template = 'tmpl-reminder';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup() {
  const receiver = await startCallbackReceiver(() => ({ body: '' }));
  const clock = createManualClock(new Date('2026-03-02T09:00:00+08:00'));
  const sim = await startSimulator({ clock, wecom: { callbackTiming: { timeoutMs: 500, retryIntervalMs: 10 } } });
  cleanups.push(receiver.stop, () => sim.stop());
  sim.wecom.addCorp({ corpId, apps: [{ agentId: 1000002, secret: 'app' }], kfSecret, callbackToken: 'QDG6eK', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
  sim.wechat.addKfAccount({ corpId, openKfId, name: '招聘小助手', callbackUrl: receiver.url });
  sim.wechat.addMiniProgram({ appId, secret: mpSecret, templates: [{ id: template, keys: ['thing1', 'time2'] }] });
  const kf = async (path: string, body: unknown) => {
    const t = (await (await fetch(`${sim.url}/cgi-bin/gettoken?corpid=${corpId}&corpsecret=${kfSecret}`)).json()) as { access_token: string };
    return (await (await fetch(`${sim.url}${path}?access_token=${t.access_token}`, { method: 'POST', body: JSON.stringify(body) })).json()) as Record<string, unknown>;
  };
  const subscribe = async (body: unknown) => {
    const t = (await (await fetch(`${sim.url}/cgi-bin/token?grant_type=client_credential&appid=${appId}&secret=${mpSecret}`)).json()) as { access_token: string };
    return (await (await fetch(`${sim.url}/cgi-bin/message/subscribe/send?access_token=${t.access_token}`, { method: 'POST', body: JSON.stringify(body) })).json()) as Record<string, unknown>;
  };
  // The candidate enters a session (so send_msg may answer), then the app writes to them.
  const { url } = (await kf('/cgi-bin/kf/add_contact_way', { open_kfid: openKfId, scene: 'invite' })) as { url: string };
  const opened = await sim.wechat.openKfLink('wang', url);
  await sim.wechat.customerSays('wang', openKfId, '你好');
  const externalUserId = opened.externalUserId;
  const openid = sim.wechat.openidOf('wang', appId);
  const pageOf = async (id: string) => {
    const response = await fetch(`${sim.url}/people/wechat/${encodeURIComponent(id)}`);
    return { status: response.status, html: await response.text() };
  };
  const post = async (id: string, action: string, form: Record<string, string>) => {
    const response = await fetch(`${sim.url}/people/wechat/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
    expect(response.status).toBe(303);
    return decodeURIComponent(response.headers.get('location') ?? '');
  };
  return { sim, clock, receiver, kf, subscribe, url, externalUserId, openid, pageOf, post };
}

describe('candidate page /people/wechat/:id', () => {
  it('lists kf messages and subscription messages newest first, by external_userid or openid', async () => {
    const { sim, clock, kf, subscribe, externalUserId, openid, pageOf } = await setup();
    expect((await kf('/cgi-bin/kf/send_msg', { touser: externalUserId, open_kfid: openKfId, msgtype: 'text', text: { content: '第一条' } })).errcode).toBe(0);
    clock.advance(1000);
    const menu = { head_content: '请选择面试时间', list: [{ type: 'click', click: { id: 'slot-1', content: '周三 14:00' } }], tail_content: '菜单结尾' };
    expect((await kf('/cgi-bin/kf/send_msg', { touser: externalUserId, open_kfid: openKfId, msgtype: 'msgmenu', msgmenu: menu })).errcode).toBe(0);
    clock.advance(1000);
    sim.wechat.acceptSubscription(openid, [template]);
    const sent = await subscribe({ touser: openid, template_id: template, page: 'pages/interview?id=1', data: { thing1: { value: '面试提醒第三条' }, time2: { value: '2026年3月4日 14:00' } } });
    expect(sent.errcode).toBe(0);

    for (const id of [externalUserId, openid]) {
      const { status, html } = await pageOf(id);
      expect(status).toBe(200);
      expect(html).toContain('wang 的微信');
      expect(html.indexOf('面试提醒第三条')).toBeGreaterThan(0);
      expect(html.indexOf('面试提醒第三条')).toBeLessThan(html.indexOf('请选择面试时间'));
      expect(html.indexOf('请选择面试时间')).toBeLessThan(html.indexOf('第一条'));
      expect(html).toContain('<button type="submit">周三 14:00</button>');
      expect(html).toContain('pages/interview?id=1');
      expect(html).toContain('进入会话（enter_session）');
    }
  });

  it('escapes what the system under test sent', async () => {
    const { kf, externalUserId, pageOf } = await setup();
    await kf('/cgi-bin/kf/send_msg', { touser: externalUserId, open_kfid: openKfId, msgtype: 'text', text: { content: '<script>alert(1)</script>' } });
    const menu = { list: [{ type: 'click', click: { id: '"><script>', content: '<img src=x onerror=alert(1)>' } }] };
    expect((await kf('/cgi-bin/kf/send_msg', { touser: externalUserId, open_kfid: openKfId, msgtype: 'msgmenu', msgmenu: menu })).errcode).toBe(0);
    const { html } = await pageOf(externalUserId);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;"');
  });

  it('tapping a menu item sends a kf text with menu_id and rings the doorbell', async () => {
    const { sim, receiver, kf, externalUserId, post, pageOf } = await setup();
    const menu = { list: [{ type: 'click', click: { id: 'slot-2', content: '周四 10:00' } }] };
    await kf('/cgi-bin/kf/send_msg', { touser: externalUserId, open_kfid: openKfId, msgtype: 'msgmenu', msgmenu: menu });
    const rings = receiver.requests.length;
    const location = await post(externalUserId, 'menu', { openKfId, menuId: 'slot-2' });
    expect(location).toContain('已发送');
    const last = sim.wechat.state.kf.messages(corpId).at(-1);
    expect(last).toMatchObject({ origin: 3, external_userid: externalUserId, msgtype: 'text', text: { content: '周四 10:00', menu_id: 'slot-2' } });
    await sim.aibot.waitFor(() => receiver.requests.length > rings);
    expect((await pageOf(externalUserId)).html).toContain('点击菜单项 slot-2');
    expect(await post(externalUserId, 'menu', { openKfId, menuId: 'nope' })).toContain('操作失败');
  });

  it('replying with free text sends a customer message and rings the doorbell', async () => {
    const { sim, receiver, externalUserId, post } = await setup();
    const rings = receiver.requests.length;
    await post(externalUserId, 'say', { openKfId, content: '我想改到下午' });
    expect(sim.wechat.state.kf.messages(corpId).at(-1)).toMatchObject({ origin: 3, external_userid: externalUserId, text: { content: '我想改到下午' } });
    await sim.aibot.waitFor(() => receiver.requests.length > rings);
  });

  it('opening a contact link with scene_param logs enter_session', async () => {
    const { sim, receiver, url, openid, post } = await setup();
    const rings = receiver.requests.length;
    // From the mini-program-only id: the same person opens the link.
    await post(openid, 'open', { link: url, sceneParam: 'inv:面试-9' });
    expect(sim.wechat.state.kf.messages(corpId).at(-1)).toMatchObject({ msgtype: 'event', event: expect.objectContaining({ event_type: 'enter_session', scene: 'invite', scene_param: 'inv:面试-9' }) });
    await sim.aibot.waitFor(() => receiver.requests.length > rings);
    expect(await post(openid, 'open', { pasted: 'https://example.com/x?enc_scene=forged' })).toContain('操作失败');
  });

  it('answers 404 for unknown ids', async () => {
    const { sim, pageOf } = await setup();
    expect((await pageOf('wm-unknown')).status).toBe(404);
    const response = await fetch(`${sim.url}/people/wechat/wm-unknown/say`, { method: 'POST', body: 'content=x' });
    expect(response.status).toBe(404);
  });
});
