import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { Router } from '@koa/router';
import { readBody } from '../http/read-body';
import type { Corp } from './corp';
import { WecomApiError, errcodes, errmsgFor } from './errors';
import type { WecomState } from './state';

/**
 * WeCom 日程 (schedules) and app calendars, on https://qyapi.weixin.qq.com paths:
 * - oa/calendar/add                       https://developer.work.weixin.qq.com/document/path/93647
 * - oa/schedule/add|update|get|del        https://developer.work.weixin.qq.com/document/path/93703 (93704, 93705, 93706)
 * - oa/schedule/get_by_calendar           https://developer.work.weixin.qq.com/document/path/93705
 * What the real service enforces and the simulator copies: a schedule or calendar can only be read or changed by the
 * app that created it; admins and attendees must be members; summary ≤128, description ≤1000, location ≤128
 * characters; ≤1000 attendees; ≤3 admins; end after start. There is no free/busy API: a member's own meetings
 * (`addMemberSchedule`) exist for `sim.wecom.schedules(userid)` but no app can see them.
 * Errcodes are "chosen" (the doc lists no per-API table): 40058 for a bad field or unknown id, 60111 for an attendee
 * or admin who is not a member, 40032 for too many attendees, 48002 for another app's schedule or a token that is
 * not an app's.
 */
export interface SimSchedule {
  readonly scheduleId: string;
  readonly corpId: string;
  /** The creating app; 0 for a member's own meeting (made in the WeCom client, invisible to every app). */
  readonly agentId: number;
  calId?: string;
  admins: string[];
  attendees: string[];
  summary: string;
  description: string;
  location: string;
  startTime: Date;
  endTime: Date;
  reminders: Record<string, unknown>;
  /** 0 normal, 1 cancelled (deleted). */
  status: 0 | 1;
  /** How many times schedule/update changed it. */
  updates: number;
}

export interface SimAppCalendar {
  readonly calId: string;
  readonly corpId: string;
  readonly agentId: number;
  readonly summary: string;
}

const maxSummary = 128;
const maxDescription = 1000;
const maxLocation = 128;
const maxAttendees = 1000;
const maxAdmins = 3;
const remindChoices = new Set([0, 300, 900, 3600, 86400]);

const chars = (s: string) => [...s].length;
const asRecord = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export class WecomCalendarStore {
  readonly schedules = new Map<string, SimSchedule>();
  readonly calendars = new Map<string, SimAppCalendar>();

  /** Live schedules the member attends or administers, from any app or their own, by start time. */
  schedulesOf(corpId: string, userid: string): SimSchedule[] {
    const key = userid.toLowerCase();
    return [...this.schedules.values()]
      .filter((s) => s.corpId === corpId && s.status === 0 && [...s.attendees, ...s.admins].some((u) => u.toLowerCase() === key))
      .sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  }
}

const stores = new WeakMap<WecomState, WecomCalendarStore>();

export function wecomCalendarOf(state: WecomState): WecomCalendarStore {
  let store = stores.get(state);
  if (!store) {
    store = new WecomCalendarStore();
    stores.set(state, store);
  }
  return store;
}

const newId = () => randomBytes(16).toString('hex');

function userList(corp: Corp, value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new WecomApiError(errcodes.invalidParameter, `${field} must be a list`);
  return value.map((entry) => {
    const userid = asRecord(entry).userid ?? entry;
    if (typeof userid !== 'string') throw new WecomApiError(errcodes.invalidParameter, `${field}: each entry is {userid}`);
    const member = corp.member(userid);
    if (!member || member.status === 5) throw new WecomApiError(errcodes.userIdNotFound, `${field}: ${userid}`);
    return member.userid;
  });
}

function readSchedule(corp: Corp, store: WecomCalendarStore, agentId: number, raw: Record<string, unknown>) {
  const start = raw.start_time;
  const end = raw.end_time;
  if (typeof start !== 'number' || typeof end !== 'number' || !Number.isInteger(start) || !Number.isInteger(end)) {
    throw new WecomApiError(errcodes.invalidParameter, 'start_time/end_time must be unix seconds');
  }
  if (end <= start) throw new WecomApiError(errcodes.invalidParameter, 'end_time must be after start_time');
  const summary = typeof raw.summary === 'string' ? raw.summary : '';
  const description = typeof raw.description === 'string' ? raw.description : '';
  const location = typeof raw.location === 'string' ? raw.location : '';
  if (chars(summary) > maxSummary) throw new WecomApiError(errcodes.invalidParameter, `summary longer than ${maxSummary}`);
  if (chars(description) > maxDescription) throw new WecomApiError(errcodes.invalidParameter, `description longer than ${maxDescription}`);
  if (chars(location) > maxLocation) throw new WecomApiError(errcodes.invalidParameter, `location longer than ${maxLocation}`);
  if (Array.isArray(raw.attendees) && raw.attendees.length > maxAttendees) throw new WecomApiError(errcodes.invalidUserIdListSize, `more than ${maxAttendees} attendees`);
  const attendees = userList(corp, raw.attendees, 'attendees');
  const admins = userList(corp, raw.admins, 'admins');
  if (admins.length > maxAdmins) throw new WecomApiError(errcodes.invalidParameter, `more than ${maxAdmins} admins`);
  const reminders = asRecord(raw.reminders);
  if (reminders.remind_before_event_secs !== undefined && !remindChoices.has(Number(reminders.remind_before_event_secs))) {
    throw new WecomApiError(errcodes.invalidParameter, 'remind_before_event_secs');
  }
  let calId: string | undefined;
  if (raw.cal_id !== undefined && raw.cal_id !== '') {
    const calendar = store.calendars.get(String(raw.cal_id));
    if (!calendar || calendar.corpId !== corp.config.corpId) throw new WecomApiError(errcodes.invalidParameter, 'cal_id');
    if (calendar.agentId !== agentId) throw new WecomApiError(errcodes.apiForbidden, 'calendar of another app');
    calId = calendar.calId;
  }
  return { startTime: new Date(start * 1000), endTime: new Date(end * 1000), summary, description, location, attendees, admins, reminders, ...(calId ? { calId } : {}) };
}

function scheduleJson(s: SimSchedule) {
  return {
    schedule_id: s.scheduleId,
    admins: s.admins,
    attendees: s.attendees.map((userid) => ({ userid, response_status: 0 })),
    summary: s.summary,
    description: s.description,
    reminders: s.reminders,
    location: s.location,
    start_time: Math.floor(s.startTime.getTime() / 1000),
    end_time: Math.floor(s.endTime.getTime() / 1000),
    status: s.status,
    cal_id: s.calId ?? '',
  };
}

/** Routes for the schedule APIs; mounted beside wecomApiRouter, with the same call counting and injected failures. */
export function wecomCalendarRouter(state: WecomState): Router {
  const router = new Router();
  const store = wecomCalendarOf(state);

  function endpoint(path: string, handler: (corp: Corp, agentId: number, body: Record<string, unknown>) => Record<string, unknown>) {
    router.post(path, async (ctx: Context) => {
      state.callCounts.set(path, (state.callCounts.get(path) ?? 0) + 1);
      const queue = state.failures.get(path);
      const failure = queue?.[0];
      if (queue && failure) {
        failure.remaining -= 1;
        if (failure.remaining <= 0) queue.shift();
        ctx.body = { errcode: failure.errcode, errmsg: errmsgFor(failure.errcode, state.clock.now(), 'injected') };
        return;
      }
      try {
        const token = ctx.query.access_token;
        const record = state.tokens.check(Array.isArray(token) ? token[0] : token);
        if (record.grant.kind !== 'app') throw new WecomApiError(errcodes.apiForbidden, 'schedules need an app secret');
        let body: Record<string, unknown>;
        try {
          body = asRecord(JSON.parse(await readBody(ctx.req)));
        } catch {
          throw new WecomApiError(errcodes.invalidParameter, 'Warning: wrong json format.');
        }
        ctx.body = { errcode: 0, errmsg: 'ok', ...handler(state.corp(record.corpId), record.grant.agentId, body) };
      } catch (error) {
        if (!(error instanceof WecomApiError)) throw error;
        ctx.body = { errcode: error.errcode, errmsg: errmsgFor(error.errcode, state.clock.now(), error.detail) };
      }
    });
  }

  /** A live schedule of this app, or WeCom's refusal. */
  function ownSchedule(corp: Corp, agentId: number, id: unknown): SimSchedule {
    const schedule = typeof id === 'string' ? store.schedules.get(id) : undefined;
    if (!schedule || schedule.corpId !== corp.config.corpId || schedule.status === 1) throw new WecomApiError(errcodes.invalidParameter, 'schedule_id');
    if (schedule.agentId !== agentId) throw new WecomApiError(errcodes.apiForbidden, 'schedule of another app');
    return schedule;
  }

  endpoint('/cgi-bin/oa/calendar/add', (corp, agentId, body) => {
    const raw = asRecord(body.calendar);
    const summary = typeof raw.summary === 'string' ? raw.summary : '';
    if (summary === '' || chars(summary) > maxSummary) throw new WecomApiError(errcodes.invalidParameter, 'summary');
    const calendar: SimAppCalendar = { calId: newId(), corpId: corp.config.corpId, agentId, summary };
    store.calendars.set(calendar.calId, calendar);
    return { cal_id: calendar.calId };
  });

  endpoint('/cgi-bin/oa/schedule/add', (corp, agentId, body) => {
    if (body.agentid !== undefined && Number(body.agentid) !== agentId) throw new WecomApiError(errcodes.invalidAgentId);
    const fields = readSchedule(corp, store, agentId, asRecord(body.schedule));
    const schedule: SimSchedule = { scheduleId: newId(), corpId: corp.config.corpId, agentId, status: 0, updates: 0, ...fields };
    store.schedules.set(schedule.scheduleId, schedule);
    return { schedule_id: schedule.scheduleId };
  });

  endpoint('/cgi-bin/oa/schedule/update', (corp, agentId, body) => {
    const raw = asRecord(body.schedule);
    const schedule = ownSchedule(corp, agentId, raw.schedule_id);
    const fields = readSchedule(corp, store, agentId, raw);
    // skip_attendees=true keeps the attendee list; otherwise the request's list replaces it.
    const keepAttendees = body.skip_attendees === true;
    Object.assign(schedule, { ...fields, attendees: keepAttendees ? schedule.attendees : fields.attendees, updates: schedule.updates + 1 });
    return {};
  });

  endpoint('/cgi-bin/oa/schedule/get', (corp, agentId, body) => {
    const ids = body.schedule_id_list;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 1000) throw new WecomApiError(errcodes.invalidParameter, 'schedule_id_list');
    return { schedule_list: ids.map((id) => scheduleJson(ownSchedule(corp, agentId, id))) };
  });

  endpoint('/cgi-bin/oa/schedule/del', (corp, agentId, body) => {
    ownSchedule(corp, agentId, body.schedule_id).status = 1;
    return {};
  });

  endpoint('/cgi-bin/oa/schedule/get_by_calendar', (corp, agentId, body) => {
    const calendar = typeof body.cal_id === 'string' ? store.calendars.get(body.cal_id) : undefined;
    if (!calendar || calendar.corpId !== corp.config.corpId) throw new WecomApiError(errcodes.invalidParameter, 'cal_id');
    if (calendar.agentId !== agentId) throw new WecomApiError(errcodes.apiForbidden, 'calendar of another app');
    const offset = Number(body.offset ?? 0);
    const limit = Number(body.limit ?? 500);
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > 1000) throw new WecomApiError(errcodes.invalidParameter, 'offset/limit');
    const list = [...store.schedules.values()].filter((s) => s.calId === calendar.calId && s.status === 0);
    return { schedule_list: list.slice(offset, offset + limit).map(scheduleJson) };
  });

  return router;
}

/** A meeting the member made in the WeCom client: busy for them, invisible to every app's API. */
export function addMemberSchedule(state: WecomState, corpId: string, input: { userid: string; startTime: Date; endTime: Date; summary?: string }): SimSchedule {
  const corp = state.corp(corpId);
  if (!corp.member(input.userid)) throw new Error(`no member ${input.userid} in ${corpId}`);
  const schedule: SimSchedule = {
    scheduleId: newId(),
    corpId,
    agentId: 0,
    admins: [input.userid],
    attendees: [input.userid],
    summary: input.summary ?? '会议',
    description: '',
    location: '',
    startTime: input.startTime,
    endTime: input.endTime,
    reminders: {},
    status: 0,
    updates: 0,
  };
  wecomCalendarOf(state).schedules.set(schedule.scheduleId, schedule);
  return schedule;
}
