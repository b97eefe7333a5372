import {
  CalendarRequestError,
  type BusyInterval,
  type Calendar,
  type CalendarPerson,
  type FreeBusy,
  type InterviewEventInput,
} from '../../ports/calendar';
import { WecomApiError, type WecomApi } from './api-client';

/**
 * The Calendar port on WeCom 日程 (schedules). The app must be listed under 日程 → 可调用接口的应用, and the organizer
 * and attendees must be in its visible range.
 * - add/update/del/get: https://developer.work.weixin.qq.com/document/path/93703 (and 93704/93705/93706)
 * - get_by_calendar:    https://developer.work.weixin.qq.com/document/path/93705
 *
 * Free/busy: WeCom has NO free/busy API. An app can only read schedules it created itself (schedule/get by id,
 * schedule/get_by_calendar on a calendar it created); members' own meetings and other apps' schedules are invisible.
 * So `freeBusy` reads the app's own calendar (`calId`, made once with oa/calendar/add) and answers with coverage
 * `own_events_only`: an empty list means "no interview of ours", never "free".
 */
export interface WecomCalendarOptions {
  readonly api: WecomApi;
  readonly agentId: number;
  /** The app's own calendar (oa/calendar/add). Without it schedules go to the organizer's default calendar and free/busy is unavailable. */
  readonly calId?: string;
}

// Limits from doc 93703: summary ≤128, description ≤1000, location ≤128 characters, ≤1000 attendees, ≤3 admins.
const maxSummary = 128;
const maxDescription = 1000;
const maxLocation = 128;
const maxAttendees = 1000;
/** remind_before_event_secs accepts 0, 300, 900, 3600 or 86400: 15 minutes before. */
const remindBeforeSecs = 900;
/** get_by_calendar pages at most 1000 schedules. */
const pageSize = 1000;

const unix = (at: Date) => Math.floor(at.getTime() / 1000);
const clip = (text: string, max: number) => [...text].slice(0, max).join('');

/** WeCom wants the zone as a whole-hour UTC offset (reminders.timezone, e.g. 8 for Asia/Shanghai). */
export function utcOffsetHours(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  const hours = Number(match[2]) + Number(match[3]) / 60;
  return Math.round(match[1] === '-' ? -hours : hours);
}

function userIdsOf(input: InterviewEventInput): string[] {
  const ids = new Set<string>();
  for (const person of [input.organizer, ...input.attendees]) ids.add(person.platformUserId);
  return [...ids];
}

interface WecomSchedule {
  schedule_id: string;
  start_time: number;
  end_time: number;
  attendees?: { userid: string; response_status?: number }[];
  /** 0 normal, 1 cancelled. */
  status?: number;
}

export function wecomCalendar(options: WecomCalendarOptions): Calendar {
  const { api, agentId, calId } = options;

  function scheduleBody(input: InterviewEventInput) {
    const users = userIdsOf(input);
    if (users.length > maxAttendees) throw new CalendarRequestError(`WeCom schedules take at most ${maxAttendees} attendees`, 'too_many_attendees', false);
    if (input.endsAt <= input.startsAt) throw new CalendarRequestError('the event ends before it starts', 'bad_time_range', false);
    return {
      admins: [input.organizer.platformUserId],
      start_time: unix(input.startsAt),
      end_time: unix(input.endsAt),
      is_whole_day: 0,
      // Pitfall: wechatpy built `[{"userid": u for u in users}]` (one dict); each attendee is its own object.
      attendees: users.map((u) => ({ userid: u })),
      summary: clip(input.title, maxSummary),
      description: clip(input.description, maxDescription),
      reminders: { is_remind: 1, remind_before_event_secs: remindBeforeSecs, is_repeat: 0, timezone: utcOffsetHours(input.timeZone, input.startsAt) },
      location: clip(input.location, maxLocation),
      ...(calId === undefined ? {} : { cal_id: calId }),
    };
  }

  return {
    async upsertInterviewEvent(input) {
      const schedule = scheduleBody(input);
      if (input.eventRef) {
        // The update replaces the attendee list (skip_attendees false), so a panel change reaches WeCom too.
        await api.post('/cgi-bin/oa/schedule/update', { schedule: { schedule_id: input.eventRef, ...schedule }, skip_attendees: false });
        return { eventRef: input.eventRef };
      }
      const answer = await api.post<{ schedule_id?: string }>('/cgi-bin/oa/schedule/add', { schedule, agentid: agentId });
      if (!answer.schedule_id) throw new WecomApiError('/cgi-bin/oa/schedule/add', -1, 'no schedule_id in the answer', true);
      return { eventRef: answer.schedule_id };
    },

    async deleteInterviewEvent(eventRef) {
      try {
        await api.post('/cgi-bin/oa/schedule/del', { schedule_id: eventRef });
      } catch (error) {
        // Already deleted (by us before a crash, or by an admin): the goal is reached.
        if (error instanceof WecomApiError && error.errcode === wecomScheduleNotFound) return;
        throw error;
      }
    },

    async freeBusy({ people, from, to }): Promise<FreeBusy> {
      if (calId === undefined) {
        throw new CalendarRequestError('WeCom 没有通用的忙闲查询接口；需要为应用创建自己的日历（cal_id）才能查看本应用安排的日程', 'no_free_busy', false);
      }
      const schedules: WecomSchedule[] = [];
      for (let offset = 0; ; offset += pageSize) {
        const page = await api.post<{ schedule_list?: WecomSchedule[] }>('/cgi-bin/oa/schedule/get_by_calendar', { cal_id: calId, offset, limit: pageSize });
        const list = page.schedule_list ?? [];
        schedules.push(...list);
        if (list.length < pageSize) break;
      }
      const busy = new Map<string, BusyInterval[]>();
      const byUser = new Map<string, CalendarPerson>(people.map((p) => [p.platformUserId.toLowerCase(), p]));
      for (const person of people) busy.set(person.employeeId, []);
      for (const s of schedules) {
        if (s.status === 1) continue;
        const startsAt = new Date(s.start_time * 1000);
        const endsAt = new Date(s.end_time * 1000);
        if (endsAt <= from || startsAt >= to) continue;
        for (const attendee of s.attendees ?? []) {
          const person = byUser.get(attendee.userid.toLowerCase());
          if (person) busy.get(person.employeeId)?.push({ startsAt, endsAt });
        }
      }
      for (const list of busy.values()) list.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
      return { coverage: 'own_events_only', busy };
    },
  };
}

/**
 * Answer to schedule/del|update|get for an unknown or deleted schedule_id. The public error table does not pin this
 * one down; 40058 (invalid parameter) is what the simulator answers, see tests/simulator/src/wecom/calendar.ts.
 */
export const wecomScheduleNotFound = 40058;
