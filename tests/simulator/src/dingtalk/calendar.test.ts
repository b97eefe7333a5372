import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ManualClock, createManualClock } from '../clock';
import { type Simulator, startSimulator } from '../simulator';

const appKey = 'dingcalsim0001';
const appSecret = 'cal-sim-secret';
let clock: ManualClock;
let sim: Simulator;

beforeEach(async () => {
  clock = createManualClock();
  sim = await startSimulator({ clock });
  sim.dingtalk.addApp({ appKey, appSecret, robotCode: appKey, corpId: 'dingcorp0001' });
  sim.dingtalk.addUser({ userId: 'manager7675', name: '周敏', unionId: 'unionZhou' });
  sim.dingtalk.addUser({ userId: 'hr0001', name: '刘洋', unionId: 'unionLiu' });
});
afterEach(() => sim.stop());

async function call(method: string, path: string, body?: unknown) {
  const { accessToken } = (await (await fetch(`${sim.url}/v1.0/oauth2/accessToken`, { method: 'POST', body: JSON.stringify({ appKey, appSecret }) })).json()) as { accessToken: string };
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': accessToken },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const event = (over: Record<string, unknown> = {}) => ({
  summary: '面试：张三',
  start: { dateTime: '2026-11-25T14:00:00+08:00', timeZone: 'Asia/Shanghai' },
  end: { dateTime: '2026-11-25T15:00:00+08:00', timeZone: 'Asia/Shanghai' },
  attendees: [{ id: 'unionZhou' }, { id: 'unionLiu' }],
  ...over,
});
const events = '/v1.0/calendar/users/unionZhou/calendars/primary/events';

describe('DingTalk calendar', () => {
  it('creates, updates and deletes an event by unionId', async () => {
    const created = await call('POST', events, event());
    expect(created).toMatchObject({ status: 200, body: { id: expect.any(String), organizer: { id: 'unionZhou' } } });
    const id = created.body.id as string;
    expect(sim.dingtalk.events('unionLiu').map((e) => e.eventId)).toEqual([id]);
    expect((await call('PUT', `${events}/${id}`, event({ id, attendees: [{ id: 'unionZhou' }] }))).status).toBe(200);
    expect(sim.dingtalk.events('unionLiu')).toEqual([]);
    expect((await call('DELETE', `${events}/${id}`)).status).toBe(204);
    expect(sim.dingtalk.events('unionZhou')).toEqual([]);
    expect((await call('DELETE', `${events}/${id}`)).status).toBe(404);
  });

  it('refuses a userId where a unionId belongs, times without offset, and end before start', async () => {
    expect(await call('POST', '/v1.0/calendar/users/manager7675/calendars/primary/events', event())).toMatchObject({ status: 400, body: { code: 'invalidParameter.unionId.notExist' } });
    expect(await call('POST', events, event({ attendees: [{ id: 'hr0001' }] }))).toMatchObject({ status: 400, body: { code: 'invalidParameter.attendees.notExist' } });
    expect(await call('POST', events, event({ start: { dateTime: '2026-11-25T14:00:00' } }))).toMatchObject({ status: 400, body: { code: 'invalidParameter.start.invalid' } });
    expect(await call('POST', events, event({ end: { dateTime: '2026-11-25T13:00:00+08:00' } }))).toMatchObject({ status: 400, body: { code: 'invalidParameter.end.invalid' } });
  });

  it('querySchedule shows every overlapping event as busy, ours and the person’s own', async () => {
    await call('POST', events, event());
    sim.dingtalk.addBusy({ unionId: 'unionLiu', start: '2026-11-25T14:30:00+08:00', end: '2026-11-25T16:00:00+08:00' });
    sim.dingtalk.addBusy({ unionId: 'unionLiu', start: '2026-11-26T14:30:00+08:00', end: '2026-11-26T16:00:00+08:00' });
    const answer = await call('POST', '/v1.0/calendar/users/unionZhou/querySchedule', { userIds: ['unionZhou', 'unionLiu'], startTime: '2026-11-25T00:00:00Z', endTime: '2026-11-26T00:00:00Z' });
    expect(answer.status).toBe(200);
    const info = answer.body.scheduleInformation as { userId: string; scheduleItems: { status: string; start: { dateTime: string } }[] }[];
    expect(info.find((i) => i.userId === 'unionZhou')!.scheduleItems).toHaveLength(1);
    expect(info.find((i) => i.userId === 'unionLiu')!.scheduleItems.map((s) => s.start.dateTime)).toEqual(['2026-11-25T14:00:00+08:00', '2026-11-25T14:30:00+08:00']);
    const tooMany = Array.from({ length: 21 }, () => 'unionZhou');
    expect(await call('POST', '/v1.0/calendar/users/unionZhou/querySchedule', { userIds: tooMany, startTime: '2026-11-25T00:00:00Z', endTime: '2026-11-26T00:00:00Z' })).toMatchObject({
      status: 400,
      body: { code: 'invalidParameter.userIds.exceedLimit' },
    });
  });
});
