import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { startSimulator } from '../simulator';

const appId = 'wxsimminiprogram01';
const secret = 'mp-secret-01';
const reminder = 'tmpl-interview-reminder';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup() {
  const clock = createManualClock(new Date('2026-03-02T09:00:00+08:00'));
  const sim = await startSimulator({ clock });
  cleanups.push(() => sim.stop());
  sim.wechat.addMiniProgram({ appId, secret, openPlatform: true, templates: [{ id: reminder, keys: ['thing1', 'time2', 'thing3'] }] });
  const get = async (path: string, query: Record<string, string>) => {
    const url = new URL(path, sim.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return (await (await fetch(url)).json()) as Record<string, unknown>;
  };
  const token = async () => (await get('/cgi-bin/token', { grant_type: 'client_credential', appid: appId, secret })).access_token as string;
  const send = async (body: unknown, accessToken?: string) => {
    const response = await fetch(`${sim.url}/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(accessToken ?? (await token()))}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    return (await response.json()) as Record<string, unknown>;
  };
  return { sim, clock, get, token, send };
}

const data = (thing1 = '高级后端工程师 二面', time2 = '2026年3月4日 14:00', thing3 = '星河大厦 12 楼') => ({
  thing1: { value: thing1 },
  time2: { value: time2 },
  thing3: { value: thing3 },
});

describe('mini-program simulator', () => {
  it('exchanges a login code once, within 5 minutes, for openid and unionid', async () => {
    const { sim, clock, get } = await setup();
    const code = sim.wechat.login('wang', appId);
    const query = { appid: appId, secret, js_code: code, grant_type: 'authorization_code' };
    const answer = await get('/sns/jscode2session', query);
    expect(answer).toEqual({ openid: sim.wechat.openidOf('wang', appId), session_key: expect.any(String), unionid: expect.any(String) });
    expect((await get('/sns/jscode2session', query)).errcode).toBe(40163);
    const late = sim.wechat.login('wang', appId);
    clock.advance(5 * 60_000 + 1);
    expect((await get('/sns/jscode2session', { ...query, js_code: late })).errcode).toBe(40029);
    expect((await get('/sns/jscode2session', { ...query, js_code: 'made-up' })).errcode).toBe(40029);
    expect((await get('/sns/jscode2session', { ...query, secret: 'wrong' })).errcode).toBe(40125);
  });

  it('replaces the token on every fetch and keeps the old one alive for 5 minutes', async () => {
    const { sim, clock, token, send } = await setup();
    const openid = sim.wechat.openidOf('wang', appId);
    sim.wechat.acceptSubscription(openid, [reminder, reminder]);
    const first = await token();
    const second = await token();
    expect(second).not.toBe(first);
    expect((await send({ touser: openid, template_id: reminder, data: data() }, first)).errcode).toBe(0);
    clock.advance(5 * 60_000 + 1);
    expect((await send({ touser: openid, template_id: reminder, data: data() }, first)).errcode).toBe(40001);
    expect((await send({ touser: openid, template_id: reminder, data: data() }, second)).errcode).toBe(0);
  });

  it('consumes one acceptance per send and answers 43101 at zero; bad data is 47003 and costs nothing', async () => {
    const { sim, send } = await setup();
    const openid = sim.wechat.openidOf('wang', appId);
    expect((await send({ touser: openid, template_id: reminder, data: data() })).errcode).toBe(43101);
    sim.wechat.acceptSubscription(openid, [reminder]);
    expect((await send({ touser: openid, template_id: reminder, data: data('这是一个超过二十个字的岗位名称用来测试长度限制规则') })).errcode).toBe(47003);
    expect((await send({ touser: openid, template_id: reminder, data: data('后端', '下周三下午') })).errcode).toBe(47003);
    expect(sim.wechat.subscriptionBalance(openid, reminder)).toBe(1);
    const ok = await send({ touser: openid, template_id: reminder, page: 'pages/interview/detail?id=1', data: data() });
    expect(ok).toMatchObject({ errcode: 0, errmsg: 'ok', msgid: expect.any(Number) });
    expect(sim.wechat.subscriptionBalance(openid, reminder)).toBe(0);
    expect((await send({ touser: openid, template_id: reminder, data: data() })).errcode).toBe(43101);
    expect(sim.wechat.received(openid)).toEqual([
      expect.objectContaining({ channel: 'subscription', templateId: reminder, page: 'pages/interview/detail?id=1', data: { thing1: '高级后端工程师 二面', time2: '2026年3月4日 14:00', thing3: '星河大厦 12 楼' } }),
    ]);
    expect((await send({ touser: 'o-unknown', template_id: reminder, data: data() })).errcode).toBe(40003);
    expect((await send({ touser: openid, template_id: 'nope', data: data() })).errcode).toBe(40037);
  });
});
