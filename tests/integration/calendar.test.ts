import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { calendarSyncSender, platformCalendars } from '../../server/src/adapters/calendar/calendar-sync';
import { createDingtalkApi } from '../../server/src/adapters/dingtalk/api-client';
import { dingtalkCredentialsOf } from '../../server/src/adapters/dingtalk/app-identity';
import { dingtalkCalendar } from '../../server/src/adapters/dingtalk/calendar';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { createWecomApi } from '../../server/src/adapters/wecom/api-client';
import { wecomCalendar } from '../../server/src/adapters/wecom/calendar';
import { createApplication } from '../../server/src/features/applications';
import { createCandidate } from '../../server/src/features/candidates';
import { changeJobStatus, createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import { dispatchDueMessages, enqueueMessage } from '../../server/src/features/outbox';
import type { PlatformApp } from '../../server/src/features/platform';
import { createLogger } from '../../server/src/observability/logger';
import { CalendarRequestError, type CalendarPerson } from '../../server/src/ports/calendar';
import { fixedClock } from '../../server/src/ports/clock';
import { SendFailedError, type OutboundSender } from '../../server/src/ports/outbound-sender';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, type TenantFixture } from '../support/fixtures';

const log = createLogger({ level: 'silent' });
const clock = fixedClock('2026-11-22T08:00:00Z');
const env = { HB_TEST_CAL_WECOM: 'cal-wecom-secret', HB_TEST_CAL_DT: 'cal-dt-secret' };
const corpId = 'wwcalcorp0001';
const agentId = 1000007;
const appKey = 'dingcalapp0001';
const noSleep = async () => undefined;

let db: TestDatabase;
let sim: Simulator;

interface Side {
  tenant: TenantFixture;
  app: PlatformApp;
  sender: OutboundSender;
  /** employee key → platform user id / union id */
  ids: Record<'manager' | 'interviewer' | 'hr', { userId: string; unionId: string }>;
  jobId: string;
  roundId: string;
  modelId: string;
}

let wecom: Side;
let dingtalk: Side;

async function setUp(platform: 'wecom' | 'dingtalk'): Promise<Side> {
  const tenant = await createTenant(db.db, { platform });
  const features = db.features(clock);
  const app = await features.stores.platform.insertApp(tenant.tenantId, {
    kind: platform === 'wecom' ? 'wecom_app' : 'dingtalk_app',
    corpId: platform === 'wecom' ? corpId : 'dingcalcorp01',
    agentId: platform === 'wecom' ? String(agentId) : appKey,
    secretRef: platform === 'wecom' ? 'env:HB_TEST_CAL_WECOM' : 'env:HB_TEST_CAL_DT',
    callbackTokenRef: null,
    encodingAesKeyRef: null,
    apiBaseUrl: sim.url,
  });
  const ids = {} as Side['ids'];
  for (const key of ['manager', 'interviewer', 'hr'] as const) {
    const row = await db.db.selectFrom('employees').select(['platform_user_id']).where('id', '=', tenant.employees[key].id).executeTakeFirstOrThrow();
    const unionId = `union-${row.platform_user_id}`;
    ids[key] = { userId: row.platform_user_id, unionId };
    if (platform === 'wecom') sim.wecom.addUser(corpId, { userid: row.platform_user_id, name: key, department: [1] });
    else {
      await db.db.updateTable('employees').set({ platform_union_id: unionId }).where('id', '=', tenant.employees[key].id).execute();
      sim.dingtalk.addUser({ userId: row.platform_user_id, name: key, unionId });
    }
  }
  const hr = tenant.employees.hr;
  const job = await createJob(features, hr.principal, {
    departmentId: tenant.departmentId,
    title: '后端工程师',
    description: '',
    location: '上海',
    headcount: 1,
    hiringManagerId: tenant.employees.manager.id,
    ownerHrId: hr.id,
    rounds: [{ name: '二面', durationMinutes: 60 }],
  });
  const model = await publishCompetencyModel(features, hr.principal, job.id, competencyModelInput([60, 40]));
  await changeJobStatus(features, hr.principal, job.id, 'open');
  const calendarFor = platformCalendars({
    findApp: (tenantId, kind) => features.stores.platform.findAppOfKind(tenantId, kind),
    env,
    tokens: postgresTokenCache(db.db, clock),
    log,
    sleep: noSleep,
  });
  return {
    tenant,
    app,
    sender: calendarSyncSender({ db: db.db, clock, calendarFor }),
    ids,
    jobId: job.id,
    roundId: job.rounds[0]!.id,
    modelId: model.id,
  };
}

let candidates = 0;

/** A fresh candidate and application each time: only one live interview per application and round. */
async function newInterview(side: Side, startsAt: string, endsAt: string): Promise<string> {
  const features = db.features(clock);
  const hr = side.tenant.employees.hr.principal;
  const candidate = await createCandidate(features, hr, {
    name: '张三',
    phone: `1380000${String(++candidates).padStart(4, '0')}`,
    email: null,
    source: 'other',
    timeZone: null,
    resumeText: '',
    talentPool: false,
  });
  const application = await createApplication(features, hr, { candidateId: candidate.id, jobId: side.jobId });
  const room = await db.db
    .insertInto('rooms')
    .values({ tenant_id: side.tenant.tenantId, name: `会议室 ${Math.random().toString(36).slice(2, 6)}`, address: '星河大厦 12 层' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const interview = await db.db
    .insertInto('interviews')
    .values({
      tenant_id: side.tenant.tenantId,
      application_id: application.id,
      round_id: side.roundId,
      competency_model_id: side.modelId,
      status: 'scheduled',
      starts_at: new Date(startsAt),
      ends_at: new Date(endsAt),
      room_id: room.id,
      schedule_version: 1,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.db
    .insertInto('interview_panelists')
    .values([
      { tenant_id: side.tenant.tenantId, interview_id: interview.id, employee_id: side.tenant.employees.manager.id, role: 'lead' },
      { tenant_id: side.tenant.tenantId, interview_id: interview.id, employee_id: side.tenant.employees.interviewer.id, role: 'member' },
    ])
    .execute();
  return interview.id;
}

const sync = (side: Side, interviewId: string, action: 'upsert' | 'delete' = 'upsert') =>
  side.sender.send({
    id: 'x',
    tenantId: side.tenant.tenantId,
    channel: 'calendar_sync',
    recipient: interviewId,
    payload: { interviewId, action },
    idempotencyKey: `cal:${interviewId}:${action}`,
    attempts: 1,
  });

const reschedule = (interviewId: string, startsAt: string, endsAt: string) =>
  db.db
    .updateTable('interviews')
    .set((eb) => ({ starts_at: new Date(startsAt), ends_at: new Date(endsAt), schedule_version: eb('schedule_version', '+', 1) }))
    .where('id', '=', interviewId)
    .execute();

const cancel = (interviewId: string) => db.db.updateTable('interviews').set({ status: 'cancelled', cancel_reason: '候选人改期' }).where('id', '=', interviewId).execute();

const storedRef = (interviewId: string) => db.db.selectFrom('calendar_events').selectAll().where('interview_id', '=', interviewId).executeTakeFirst();

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock });
  sim.wecom.addCorp({ corpId, apps: [{ agentId, secret: env.HB_TEST_CAL_WECOM }], callbackToken: 'cbtoken', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
  sim.dingtalk.addApp({ appKey, appSecret: env.HB_TEST_CAL_DT, robotCode: appKey, corpId: 'dingcalcorp01' });
  wecom = await setUp('wecom');
  dingtalk = await setUp('dingtalk');
});

afterAll(async () => {
  await sim.stop();
  await db.drop();
});

describe('calendar_sync on WeCom 日程', () => {
  it('creates one schedule for the panel, updates it on reschedule, and deletes it on cancel', async () => {
    const id = await newInterview(wecom, '2026-11-25T06:00:00Z', '2026-11-25T07:00:00Z');
    const created = await sync(wecom, id);
    expect(created.receipt).toMatchObject({ action: 'create', eventRef: expect.any(String) });

    const [schedule, ...others] = sim.wecom.schedules(wecom.ids.interviewer.userId);
    expect(others).toEqual([]);
    expect(schedule).toMatchObject({
      scheduleId: created.receipt.eventRef,
      agentId,
      admins: [wecom.ids.manager.userId],
      attendees: [wecom.ids.manager.userId, wecom.ids.interviewer.userId],
      startTime: new Date('2026-11-25T06:00:00Z'),
      endTime: new Date('2026-11-25T07:00:00Z'),
      reminders: { is_remind: 1, remind_before_event_secs: 900, timezone: 8 },
    });
    expect(schedule!.summary).toBe('面试：张三 · 后端工程师（二面）');
    expect(schedule!.location).toMatch(/^会议室 .+ · 星河大厦 12 层$/);
    expect(sim.wecom.schedules(wecom.ids.manager.userId)).toHaveLength(1);
    expect(sim.wecom.schedules(wecom.ids.hr.userId)).toEqual([]);

    await reschedule(id, '2026-11-26T02:00:00Z', '2026-11-26T03:30:00Z');
    const updated = await sync(wecom, id);
    expect(updated.receipt).toMatchObject({ action: 'update', eventRef: created.receipt.eventRef, scheduleVersion: 2 });
    const after = sim.wecom.schedules(wecom.ids.manager.userId);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ scheduleId: created.receipt.eventRef, updates: 1, startTime: new Date('2026-11-26T02:00:00Z'), endTime: new Date('2026-11-26T03:30:00Z') });

    await cancel(id);
    const deleted = await sync(wecom, id);
    expect(deleted.receipt).toMatchObject({ action: 'delete', eventRef: created.receipt.eventRef });
    expect(sim.wecom.schedules(wecom.ids.manager.userId)).toEqual([]);
    expect(sim.wecom.schedules(wecom.ids.interviewer.userId)).toEqual([]);
    expect(await storedRef(id)).toMatchObject({ event_ref: created.receipt.eventRef, deleted_at: expect.any(Date) });
    // A retried delete (or a late upsert of the cancelled interview) is a no-op.
    expect((await sync(wecom, id, 'delete')).receipt).toMatchObject({ alreadyGone: true });
    expect((await sync(wecom, id)).receipt).toMatchObject({ alreadyGone: true });
    expect(sim.wecom.calls('/cgi-bin/oa/schedule/del')).toBe(1);
  });

  it('through the outbox: a row redelivered after a crash (before it was marked sent) updates, never duplicates', async () => {
    const id = await newInterview(wecom, '2026-11-27T06:00:00Z', '2026-11-27T07:00:00Z');
    const features = db.features(clock);
    await enqueueMessage(features.stores, { tenantId: wecom.tenant.tenantId, channel: 'calendar_sync', recipient: id, payload: { interviewId: id, action: 'upsert' }, idempotencyKey: `cal:${id}:v1` });
    // The worker "crashes" right after the sender returned: the row stays claimed, its lease runs out, it is redelivered.
    const crashing: OutboundSender = {
      send: async (message) => {
        await wecom.sender.send(message);
        throw new Error('process killed before marking the row sent');
      },
    };
    await dispatchDueMessages(features, { calendar_sync: crashing }).catch(() => undefined);
    clock.advance(10 * 60_000);
    const result = await dispatchDueMessages(features, { calendar_sync: wecom.sender });
    expect(result).toMatchObject({ sent: 1 });
    const schedules = sim.wecom.schedules(wecom.ids.manager.userId).filter((s) => s.startTime.getTime() === Date.parse('2026-11-27T06:00:00Z'));
    expect(schedules).toHaveLength(1);
    expect(schedules[0]!.updates).toBe(1);
    expect((await storedRef(id))?.event_ref).toBe(schedules[0]!.scheduleId);
  });

  it('free/busy: only the app’s own calendar is readable, and it says so', async () => {
    const api = createWecomApi({ credentials: { appId: wecom.app.id, corpId, secret: env.HB_TEST_CAL_WECOM, baseUrl: sim.url }, tokens: postgresTokenCache(db.db, clock), log });
    const people: CalendarPerson[] = (['manager', 'interviewer'] as const).map((k) => ({
      employeeId: wecom.tenant.employees[k].id,
      name: k,
      platformUserId: wecom.ids[k].userId,
      platformUnionId: null,
    }));
    const without = wecomCalendar({ api, agentId });
    await expect(without.freeBusy({ people, from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z') })).rejects.toMatchObject({ code: 'no_free_busy', retryable: false });

    const { cal_id: calId } = await api.post<{ cal_id: string }>('/cgi-bin/oa/calendar/add', { calendar: { summary: '面试日程', color: '#1E90FF' }, agentid: agentId });
    const calendar = wecomCalendar({ api, agentId, calId });
    await calendar.upsertInterviewEvent({
      title: '面试：李四',
      description: '',
      startsAt: new Date('2026-12-01T02:00:00Z'),
      endsAt: new Date('2026-12-01T03:00:00Z'),
      timeZone: 'Asia/Shanghai',
      location: '',
      organizer: people[0]!,
      attendees: people,
    });
    sim.wecom.addMemberSchedule(corpId, { userid: wecom.ids.interviewer.userId, startTime: new Date('2026-12-01T05:00:00Z'), endTime: new Date('2026-12-01T06:00:00Z') });
    const result = await calendar.freeBusy({ people, from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z') });
    expect(result.coverage).toBe('own_events_only');
    const ours = [{ startsAt: new Date('2026-12-01T02:00:00Z'), endsAt: new Date('2026-12-01T03:00:00Z') }];
    expect(result.busy.get(people[0]!.employeeId)).toEqual(ours);
    // The member's own meeting exists but no app can see it: WeCom has no free/busy API.
    expect(result.busy.get(people[1]!.employeeId)).toEqual(ours);
    expect(sim.wecom.schedules(wecom.ids.interviewer.userId).some((s) => s.agentId === 0)).toBe(true);
  });
});

describe('calendar_sync on DingTalk 日历', () => {
  it('creates the event in the lead’s calendar with unionId attendees and zoned times, updates, then deletes', async () => {
    const id = await newInterview(dingtalk, '2026-11-25T06:00:00Z', '2026-11-25T07:00:00Z');
    const created = await sync(dingtalk, id);
    expect(created.receipt).toMatchObject({ action: 'create' });
    const events = sim.dingtalk.events(dingtalk.ids.interviewer.unionId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      organizer: dingtalk.ids.manager.unionId,
      attendees: expect.arrayContaining([dingtalk.ids.manager.unionId, dingtalk.ids.interviewer.unionId]),
      start: { dateTime: '2026-11-25T14:00:00+08:00', timeZone: 'Asia/Shanghai', at: new Date('2026-11-25T06:00:00Z') },
      end: { dateTime: '2026-11-25T15:00:00+08:00', timeZone: 'Asia/Shanghai' },
      summary: '面试：张三 · 后端工程师（二面）',
      reminders: [{ method: 'dingtalk', minutes: 15 }],
    });
    expect(events[0]!.attendees).toHaveLength(2);
    expect(created.receipt.eventRef).toBe(`${encodeURIComponent(dingtalk.ids.manager.unionId)}/${events[0]!.eventId}`);

    await reschedule(id, '2026-11-25T08:00:00Z', '2026-11-25T09:00:00Z');
    expect((await sync(dingtalk, id)).receipt).toMatchObject({ action: 'update', eventRef: created.receipt.eventRef });
    // A retried upsert (the outbox redelivers after a crash) updates the same event again.
    expect((await sync(dingtalk, id)).receipt).toMatchObject({ action: 'update', eventRef: created.receipt.eventRef });
    const after = sim.dingtalk.events(dingtalk.ids.manager.unionId);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ eventId: events[0]!.eventId, updates: 2, start: { dateTime: '2026-11-25T16:00:00+08:00' } });

    await cancel(id);
    expect((await sync(dingtalk, id, 'delete')).receipt).toMatchObject({ action: 'delete' });
    expect(sim.dingtalk.events(dingtalk.ids.manager.unionId)).toEqual([]);
    expect(sim.dingtalk.events(dingtalk.ids.interviewer.unionId)).toEqual([]);
  });

  it('free/busy shows a person’s own meeting and our interview as busy (conflicts visible)', async () => {
    const id = await newInterview(dingtalk, '2026-11-30T02:00:00Z', '2026-11-30T03:00:00Z');
    await sync(dingtalk, id);
    sim.dingtalk.addBusy({ unionId: dingtalk.ids.interviewer.unionId, start: '2026-11-30T10:30:00+08:00', end: '2026-11-30T11:30:00+08:00', summary: '周会' });
    const api = createDingtalkApi({ credentials: dingtalkCredentialsOf(dingtalk.app, env), tokens: postgresTokenCache(db.db, clock), log, sleep: noSleep });
    const people: CalendarPerson[] = (['manager', 'interviewer', 'hr'] as const).map((k) => ({
      employeeId: dingtalk.tenant.employees[k].id,
      name: k,
      platformUserId: dingtalk.ids[k].userId,
      platformUnionId: dingtalk.ids[k].unionId,
    }));
    const result = await dingtalkCalendar({ api }).freeBusy({ people, from: new Date('2026-11-30T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') });
    expect(result.coverage).toBe('complete');
    const interview = { startsAt: new Date('2026-11-30T02:00:00Z'), endsAt: new Date('2026-11-30T03:00:00Z') };
    expect(result.busy.get(people[0]!.employeeId)).toEqual([interview]);
    // The interviewer's own meeting (10:30–11:30 +08:00) overlaps our 10:00–11:00 interview: both show.
    expect(result.busy.get(people[1]!.employeeId)).toEqual([interview, { startsAt: new Date('2026-11-30T02:30:00Z'), endsAt: new Date('2026-11-30T03:30:00Z') }]);
    expect(result.busy.get(people[2]!.employeeId)).toEqual([]);
  });

  it('refuses a panelist without a unionId clearly and for good, before calling DingTalk', async () => {
    const id = await newInterview(dingtalk, '2026-12-02T02:00:00Z', '2026-12-02T03:00:00Z');
    await db.db.updateTable('employees').set({ platform_union_id: null }).where('id', '=', dingtalk.tenant.employees.interviewer.id).execute();
    const before = sim.dingtalk.calls('/v1.0/calendar/users/:unionId/calendars/primary/events');
    try {
      const error = await sync(dingtalk, id).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SendFailedError);
      expect(error).toMatchObject({ retryable: false, code: 'no_union_id', message: expect.stringContaining('没有钉钉 unionId') });
      expect(sim.dingtalk.calls('/v1.0/calendar/users/:unionId/calendars/primary/events')).toBe(before);
      expect(await storedRef(id)).toBeUndefined();
    } finally {
      await db.db.updateTable('employees').set({ platform_union_id: dingtalk.ids.interviewer.unionId }).where('id', '=', dingtalk.tenant.employees.interviewer.id).execute();
    }
    await expect(
      dingtalkCalendar({ api: createDingtalkApi({ credentials: dingtalkCredentialsOf(dingtalk.app, env), tokens: postgresTokenCache(db.db, clock), log }) }).freeBusy({
        people: [{ employeeId: 'e', name: '无 unionId', platformUserId: 'u1', platformUnionId: null }],
        from: new Date('2026-12-02T00:00:00Z'),
        to: new Date('2026-12-03T00:00:00Z'),
      }),
    ).rejects.toBeInstanceOf(CalendarRequestError);
  });
});
