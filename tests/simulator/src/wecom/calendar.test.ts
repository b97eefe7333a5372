import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ManualClock, createManualClock } from '../clock';
import { type Simulator, startSimulator } from '../simulator';

const corpId = 'wwcalsim0001';
let clock: ManualClock;
let sim: Simulator;

beforeEach(async () => {
  clock = createManualClock();
  sim = await startSimulator({ clock });
  sim.wecom.addCorp({ corpId, apps: [{ agentId: 1001, secret: 's-1001' }, { agentId: 1002, secret: 's-1002' }], callbackToken: 't', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
  for (const userid of ['zhoumin', 'liuyang']) sim.wecom.addUser(corpId, { userid, name: userid, department: [1] });
});
afterEach(() => sim.stop());

async function token(secret = 's-1001') {
  const answer = (await (await fetch(`${sim.url}/cgi-bin/gettoken?corpid=${corpId}&corpsecret=${secret}`)).json()) as { access_token: string };
  return answer.access_token;
}

async function post(path: string, body: unknown, secret?: string) {
  const response = await fetch(`${sim.url}${path}?access_token=${await token(secret)}`, { method: 'POST', body: JSON.stringify(body) });
  return (await response.json()) as Record<string, unknown>;
}

const schedule = (over: Record<string, unknown> = {}) => ({
  admins: ['zhoumin'],
  start_time: 1_795_000_000,
  end_time: 1_795_003_600,
  attendees: [{ userid: 'zhoumin' }, { userid: 'liuyang' }],
  summary: '面试：张三',
  reminders: { is_remind: 1, remind_before_event_secs: 900, timezone: 8 },
  ...over,
});

describe('WeCom schedules', () => {
  it('adds, updates, gets and deletes a schedule the attendees can see', async () => {
    const added = await post('/cgi-bin/oa/schedule/add', { schedule: schedule(), agentid: 1001 });
    expect(added).toMatchObject({ errcode: 0, schedule_id: expect.any(String) });
    const id = added.schedule_id as string;
    expect(sim.wecom.schedules('liuyang').map((s) => s.scheduleId)).toEqual([id]);

    expect(await post('/cgi-bin/oa/schedule/update', { schedule: { ...schedule({ attendees: [{ userid: 'zhoumin' }] }), schedule_id: id, end_time: 1_795_007_200 } })).toMatchObject({ errcode: 0 });
    expect(sim.wecom.schedules('liuyang')).toEqual([]);
    expect(sim.wecom.schedules('zhoumin')[0]).toMatchObject({ updates: 1, endTime: new Date(1_795_007_200_000) });

    const got = await post('/cgi-bin/oa/schedule/get', { schedule_id_list: [id] });
    expect(got.schedule_list).toEqual([expect.objectContaining({ schedule_id: id, attendees: [{ userid: 'zhoumin', response_status: 0 }], end_time: 1_795_007_200 })]);

    expect(await post('/cgi-bin/oa/schedule/del', { schedule_id: id })).toMatchObject({ errcode: 0 });
    expect(sim.wecom.schedules('zhoumin')).toEqual([]);
    expect(await post('/cgi-bin/oa/schedule/del', { schedule_id: id })).toMatchObject({ errcode: 40058 });
  });

  it('refuses unknown attendees, bad time ranges, long summaries, too many attendees and other apps’ schedules', async () => {
    expect(await post('/cgi-bin/oa/schedule/add', { schedule: schedule({ attendees: [{ userid: 'nobody' }] }) })).toMatchObject({ errcode: 60111 });
    expect(await post('/cgi-bin/oa/schedule/add', { schedule: schedule({ end_time: 1_795_000_000 }) })).toMatchObject({ errcode: 40058 });
    expect(await post('/cgi-bin/oa/schedule/add', { schedule: schedule({ summary: '面'.repeat(129) }) })).toMatchObject({ errcode: 40058 });
    expect(await post('/cgi-bin/oa/schedule/add', { schedule: schedule({ summary: '面'.repeat(128) }) })).toMatchObject({ errcode: 0 });
    const many = Array.from({ length: 1001 }, () => ({ userid: 'zhoumin' }));
    expect(await post('/cgi-bin/oa/schedule/add', { schedule: schedule({ attendees: many }) })).toMatchObject({ errcode: 40032 });
    // wechatpy's bug (pitfall 12) sends one object instead of a list: refused.
    expect(await post('/cgi-bin/oa/schedule/add', { schedule: schedule({ attendees: { userid: 'liuyang' } }) })).toMatchObject({ errcode: 40058 });
    const id = (await post('/cgi-bin/oa/schedule/add', { schedule: schedule() })).schedule_id as string;
    expect(await post('/cgi-bin/oa/schedule/del', { schedule_id: id }, 's-1002')).toMatchObject({ errcode: 48002 });
  });

  it('lists only the app’s own calendar; members’ own meetings are invisible to apps', async () => {
    const calId = (await post('/cgi-bin/oa/calendar/add', { calendar: { summary: '面试日程' }, agentid: 1001 })).cal_id as string;
    await post('/cgi-bin/oa/schedule/add', { schedule: schedule({ cal_id: calId }) });
    await post('/cgi-bin/oa/schedule/add', { schedule: schedule() });
    sim.wecom.addMemberSchedule(corpId, { userid: 'liuyang', startTime: new Date(1_795_000_000_000), endTime: new Date(1_795_001_800_000) });
    const listed = await post('/cgi-bin/oa/schedule/get_by_calendar', { cal_id: calId, offset: 0, limit: 1000 });
    expect(listed.schedule_list).toHaveLength(1);
    expect(await post('/cgi-bin/oa/schedule/get_by_calendar', { cal_id: calId }, 's-1002')).toMatchObject({ errcode: 48002 });
    expect(sim.wecom.schedules('liuyang')).toHaveLength(3);
  });
});
