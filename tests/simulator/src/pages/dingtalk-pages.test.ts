import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { startSimulator } from '../simulator';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const appKey = 'dingpagesapp';
const cid = 'cidHRgroup==';

async function setup() {
  const clock = createManualClock(new Date('2026-03-02T09:00:00+08:00'));
  const sim = await startSimulator({ clock, dingtalk: { stream: { pollIntervalMs: 10, disconnectGraceMs: 50 } } });
  cleanups.push(() => sim.stop());
  sim.dingtalk.addApp({ appKey, appSecret: 'secret', robotCode: appKey, corpId: 'dingcorp', name: '招聘桥' });
  sim.dingtalk.addUser({ userId: 'manager7675', name: '周敏' });
  sim.dingtalk.addGroup({ openConversationId: cid, title: '招聘群' });
  sim.dingtalk.addWebhookRobot({ accessToken: 'hook-token', chatName: '通知群' });
  const token = ((await (await fetch(`${sim.url}/v1.0/oauth2/accessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appKey, appSecret: 'secret' }) })).json()) as { accessToken: string }).accessToken;
  const api = async (path: string, body: Record<string, unknown>) => {
    const response = await fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token }, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
  };
  const toUser = (msgKey: string, msgParam: Record<string, unknown>) => api('/v1.0/robot/oToMessages/batchSend', { robotCode: appKey, userIds: ['manager7675'], msgKey, msgParam: JSON.stringify(msgParam) });
  const toGroup = (msgKey: string, msgParam: Record<string, unknown>) => api('/v1.0/robot/groupMessages/send', { robotCode: appKey, openConversationId: cid, msgKey, msgParam: JSON.stringify(msgParam) });
  const get = async (path: string) => {
    const response = await fetch(`${sim.url}${path}`);
    return { status: response.status, html: await response.text() };
  };
  const post = async (path: string, form: Record<string, string>) => {
    const response = await fetch(`${sim.url}${path}`, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
    return { status: response.status, location: decodeURIComponent(response.headers.get('location') ?? '') };
  };
  return { sim, clock, toUser, toGroup, get, post };
}

const framesOf = (sim: Awaited<ReturnType<typeof setup>>['sim']) => sim.dingtalk.pendingUnacked(appKey).map((f) => JSON.parse(f.data) as Record<string, unknown>);

describe('DingTalk pages', () => {
  it('a user page renders text, markdown and action cards newest first, escaped, buttons as safe links', async () => {
    const { clock, toUser, get } = await setup();
    await toUser('sampleText', { content: '第一条 <script>alert(1)</script>' });
    clock.advance(1000);
    await toUser('sampleMarkdown', { title: '面试安排', text: '### 第二条\n- 周三' });
    clock.advance(1000);
    await toUser('sampleActionCard', { title: '第三条', text: '请确认', singleTitle: '确认', singleURL: 'https://example.com/ok?a=1&b=2' });
    clock.advance(1000);
    await toUser('sampleActionCard2', { title: '第四条', text: '选一个', actionTitle1: '接受', actionURL1: 'javascript:alert(1)', actionTitle2: '改期', actionURL2: 'dingtalk://dingtalkclient/page/link?url=x' });
    const { status, html } = await get('/people/dingtalk/manager7675');
    expect(status).toBe(200);
    expect(html).toContain('周敏');
    const order = ['第四条', '第三条', '### 第二条', '第一条'].map((s) => html.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('href="https://example.com/ok?a=1&amp;b=2"');
    expect(html).toContain('接受（链接不可在浏览器打开');
    expect(html).not.toMatch(/href="(javascript|dingtalk):/);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('the user form sends the robot a 1:1 message over Stream', async () => {
    const { sim, post } = await setup();
    const sent = await post('/people/dingtalk/manager7675/say', { appKey, text: '我明天有空' });
    expect(sent.status).toBe(303);
    expect(sent.location).toContain('已发送');
    expect(framesOf(sim)).toEqual([expect.objectContaining({ conversationType: '1', senderStaffId: 'manager7675', text: { content: '我明天有空' } })]);
    expect((await post('/people/dingtalk/manager7675/say', { appKey: 'nope', text: 'x' })).location).toContain('操作失败');
  });

  it('a group page shows group robot messages newest first and @-mentions the robot over Stream', async () => {
    const { sim, clock, toGroup, get, post } = await setup();
    await toGroup('sampleText', { content: '群消息一' });
    clock.advance(1000);
    await toGroup('sampleMarkdown', { title: '<img src=x onerror=alert(1)>', text: '群消息二' });
    const { status, html } = await get(`/groups/dingtalk/${encodeURIComponent(cid)}`);
    expect(status).toBe(200);
    expect(html).toContain('招聘群');
    expect(html.indexOf('群消息二')).toBeLessThan(html.indexOf('群消息一'));
    expect(html).not.toContain('<img');
    const sent = await post(`/groups/dingtalk/${encodeURIComponent(cid)}/mention`, { appKey, userId: 'manager7675', text: '安排面试', atUserIds: 'u1, u2' });
    expect(sent.location).toContain('已 @ 机器人');
    const [frame] = framesOf(sim);
    expect(frame).toMatchObject({ conversationType: '2', conversationId: cid, isInAtList: true, text: { content: ' 安排面试' } });
    expect((frame?.atUsers as unknown[]).length).toBe(3);
  });

  it('a custom robot token shows its messages without a mention form; unknown ids give 404', async () => {
    const { sim, get, post } = await setup();
    await fetch(`${sim.url}/robot/send?access_token=hook-token`, { method: 'POST', body: JSON.stringify({ msgtype: 'text', text: { content: 'webhook <script>' } }) });
    const { status, html } = await get('/groups/dingtalk/hook-token');
    expect(status).toBe(200);
    expect(html).toContain('webhook &lt;script&gt;');
    expect(html).not.toContain('/mention');
    expect((await get('/people/dingtalk/nobody')).status).toBe(404);
    expect((await get('/groups/dingtalk/nogroup')).status).toBe(404);
    expect((await post('/groups/dingtalk/nogroup/mention', { appKey, userId: 'manager7675', text: 'x' })).status).toBe(404);
    expect((await post('/people/dingtalk/nobody/say', { appKey, text: 'x' })).status).toBe(404);
  });
});
