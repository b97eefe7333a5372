import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ManualClock, createManualClock } from '../clock';
import { type Simulator, startSimulator } from '../simulator';
import { webhookSign } from './robot';

const appKey = 'dingsimappkey0001';
const appSecret = 'sim-app-secret-0001';

let clock: ManualClock;
let sim: Simulator;

beforeEach(async () => {
  clock = createManualClock();
  sim = await startSimulator({ clock });
  sim.dingtalk.addApp({ appKey, appSecret, robotCode: appKey, corpId: 'dingcorp0001' });
  sim.dingtalk.addApp({ appKey: 'dingother', appSecret: 'other-secret', robotCode: 'dingother', corpId: 'dingcorp0001' });
  sim.dingtalk.addUser({ userId: 'manager7675', name: '周敏' });
  sim.dingtalk.addUser({ userId: 'hr0001', name: '刘洋' });
  sim.dingtalk.addGroup({ openConversationId: 'cidGroup0001==', title: '招聘群' });
});
afterEach(() => sim.stop());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const token = async () => (await call('POST', '/v1.0/oauth2/accessToken', { appKey, appSecret })).body.accessToken as string;

describe('DingTalk tokens', () => {
  it('issues the same token while it is valid, on both API families, and a new one after 7200 s', async () => {
    const first = await call('POST', '/v1.0/oauth2/accessToken', { appKey, appSecret });
    expect(first).toEqual({ status: 200, body: { accessToken: expect.any(String), expireIn: 7200 } });
    const old = await call('GET', `/gettoken?appkey=${appKey}&appsecret=${appSecret}`);
    expect(old.body).toMatchObject({ errcode: 0, access_token: first.body.accessToken, expires_in: 7200 });
    clock.advance(7199_000);
    expect((await call('POST', '/v1.0/oauth2/accessToken', { appKey, appSecret })).body.accessToken).toBe(first.body.accessToken);
    clock.advance(1000);
    expect((await call('POST', '/v1.0/oauth2/accessToken', { appKey, appSecret })).body.accessToken).not.toBe(first.body.accessToken);
  });

  it('answers bad credentials as DingTalk does: HTTP 400 on the new API, errcode 40096/40035 on the old', async () => {
    const bad = await call('POST', '/v1.0/oauth2/accessToken', { appKey, appSecret: 'wrong' });
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalidClientIdOrSecret', requestid: expect.any(String) } });
    expect((await call('GET', `/gettoken?appkey=${appKey}&appsecret=wrong`)).body).toMatchObject({ errcode: 40096 });
    expect((await call('GET', '/gettoken')).body).toMatchObject({ errcode: 40035 });
  });

  it('takes the token only from x-acs-dingtalk-access-token', async () => {
    const t = await token();
    const body = { robotCode: appKey, openConversationId: 'cidGroup0001==', msgKey: 'sampleText', msgParam: '{"content":"hi"}' };
    expect(await call('POST', `/v1.0/robot/groupMessages/send?access_token=${t}`, body)).toMatchObject({
      status: 400,
      body: { code: 'AuthenticationFailed.MissingParameter' },
    });
    expect(await call('POST', '/v1.0/robot/groupMessages/send', body, { 'x-acs-dingtalk-access-token': 'nope' })).toMatchObject({
      status: 400,
      body: { code: 'InvalidAuthentication' },
    });
  });
});

describe('DingTalk app robot sending', () => {
  it('posts to a group; msgParam must be a JSON string', async () => {
    const headers = { 'x-acs-dingtalk-access-token': await token() };
    const ok = await call('POST', '/v1.0/robot/groupMessages/send', { robotCode: appKey, openConversationId: 'cidGroup0001==', msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: '面试', text: '## 今日面试' }) }, headers);
    expect(ok).toEqual({ status: 200, body: { processQueryKey: expect.any(String) } });
    const asObject = await call('POST', '/v1.0/robot/groupMessages/send', { robotCode: appKey, openConversationId: 'cidGroup0001==', msgKey: 'sampleText', msgParam: { content: 'x' } }, headers);
    expect(asObject).toMatchObject({ status: 400, body: { code: 'invalidParameter.msgParam.invalid' } });
    const otherRobot = await call('POST', '/v1.0/robot/groupMessages/send', { robotCode: 'dingother', openConversationId: 'cidGroup0001==', msgKey: 'sampleText', msgParam: '{"content":"x"}' }, headers);
    expect(otherRobot.body.code).toBe('invalidParameter.robotCode.notExsit');
    expect(sim.dingtalk.groupMessages('cidGroup0001==')).toEqual([expect.objectContaining({ msgKey: 'sampleMarkdown', msgParam: { title: '面试', text: '## 今日面试' } })]);
  });

  it('sends 1:1 to at most 20 users, listing invalid and flow-controlled ones without delivering to them', async () => {
    const headers = { 'x-acs-dingtalk-access-token': await token() };
    sim.dingtalk.flowControlNext('hr0001');
    const send = (userIds: string[]) => call('POST', '/v1.0/robot/oToMessages/batchSend', { robotCode: appKey, userIds, msgKey: 'sampleText', msgParam: '{"content":"明天 10 点面试"}' }, headers);
    const answer = await send(['manager7675', 'hr0001', 'ghost']);
    expect(answer.body).toEqual({ processQueryKey: expect.any(String), invalidStaffIdList: ['ghost'], flowControlledStaffIdList: ['hr0001'] });
    expect(sim.dingtalk.received('manager7675')).toHaveLength(1);
    expect(sim.dingtalk.received('hr0001')).toHaveLength(0);
    expect((await send(['hr0001'])).body.flowControlledStaffIdList).toEqual([]);
    expect(sim.dingtalk.received('hr0001')).toHaveLength(1);
    expect((await send(Array.from({ length: 21 }, (_, i) => `u${i}`))).body.code).toBe('invalidParameter.userIds.exceedLimit');
  });
});

describe('DingTalk custom webhook robot', () => {
  it('refuses the 21st message in a minute with 660026 and stays blocked for 10 minutes', async () => {
    sim.dingtalk.addWebhookRobot({ accessToken: 'hook-1', chatName: '面试官群' });
    const send = (n: number) => call('POST', '/robot/send?access_token=hook-1', { msgtype: 'text', text: { content: `m${n}` } });
    const codes: unknown[] = [];
    for (let i = 0; i < 21; i++) codes.push((await send(i)).body.errcode);
    expect(codes.slice(0, 20).every((c) => c === 0)).toBe(true);
    expect(codes[20]).toBe(660026);
    clock.advance(61_000);
    expect((await send(99)).body.errcode).toBe(660026);
    clock.advance(10 * 60_000);
    expect((await send(100)).body.errcode).toBe(0);
    expect(sim.dingtalk.webhookMessages('hook-1')).toHaveLength(21);
    expect((await call('POST', '/robot/send?access_token=nope', { msgtype: 'text', text: { content: 'x' } })).body.errcode).toBe(300005);
  });

  it('checks 加签 when the robot has a secret', async () => {
    sim.dingtalk.addWebhookRobot({ accessToken: 'hook-2', chatName: '群', secret: 'SECsecret' });
    const ts = String(clock.now().getTime());
    const body = { msgtype: 'markdown', markdown: { title: 't', text: 'x' } };
    expect((await call('POST', `/robot/send?access_token=hook-2&timestamp=${ts}&sign=bad`, body)).body.errcode).toBe(310000);
    const sign = encodeURIComponent(webhookSign('SECsecret', ts));
    expect((await call('POST', `/robot/send?access_token=hook-2&timestamp=${ts}&sign=${sign}`, body)).body.errcode).toBe(0);
  });
});
