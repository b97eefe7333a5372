import {
  CalendarRequestError,
  type BusyInterval,
  type Calendar,
  type CalendarPerson,
  type FreeBusy,
  type InterviewEventInput,
} from '../../ports/calendar';
import { DingtalkApiError, type DingtalkApi } from './api-client';

/**
 * The Calendar port on DingTalk 日历 (new API). Every path names a user by **unionId**, not userId, and attendees are
 * unionIds too; a person without one is refused before any call.
 * - create: POST /v1.0/calendar/users/{unionId}/calendars/primary/events
 *   https://open.dingtalk.com/document/orgapp/create-event
 * - update: PUT  …/events/{eventId}  https://open.dingtalk.com/document/orgapp/modify-event
 * - delete: DELETE …/events/{eventId} https://open.dingtalk.com/document/orgapp/delete-event
 * - free/busy: POST /v1.0/calendar/users/{unionId}/querySchedule {userIds ≤20, startTime, endTime}
 *   https://open.dingtalk.com/document/development/free-schedule — every event of the person counts, ours or not.
 * The event reference is `<organizer unionId>/<eventId>`: updates and deletes must go to the organizer's calendar.
 */
const maxQueryUsers = 20;
const remindMinutes = 15;

export class MissingUnionIdError extends CalendarRequestError {
  constructor(person: CalendarPerson) {
    super(
      `员工「${person.name}」没有钉钉 unionId，无法写入其日历；请先同步通讯录 (employee ${person.employeeId} has no DingTalk unionId; the calendar API needs one)`,
      'no_union_id',
      false,
    );
    this.name = 'MissingUnionIdError';
  }
}

function unionIdOf(person: CalendarPerson): string {
  if (!person.platformUnionId) throw new MissingUnionIdError(person);
  return person.platformUnionId;
}

/** "2026-11-25T14:00:00+08:00": the instant written in `timeZone`, with its offset, as DingTalk's dateTime wants. */
export function isoInZone(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const offset = /GMT([+-]\d{2}:\d{2})/.exec(parts.timeZoneName ?? '')?.[1] ?? '+00:00';
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

export function encodeEventRef(unionId: string, eventId: string): string {
  return `${encodeURIComponent(unionId)}/${encodeURIComponent(eventId)}`;
}

export function decodeEventRef(eventRef: string): { unionId: string; eventId: string } {
  const [unionId, eventId, extra] = eventRef.split('/');
  if (!unionId || !eventId || extra !== undefined) throw new CalendarRequestError(`not a DingTalk event reference: ${eventRef}`, 'bad_event_ref', false);
  return { unionId: decodeURIComponent(unionId), eventId: decodeURIComponent(eventId) };
}

const eventsPath = (unionId: string) => `/v1.0/calendar/users/${encodeURIComponent(unionId)}/calendars/primary/events`;

interface ScheduleInformation {
  userId?: string;
  error?: string;
  scheduleItems?: { status?: string; start?: { dateTime?: string }; end?: { dateTime?: string } }[];
}

export function dingtalkCalendar(options: { api: DingtalkApi }): Calendar {
  const { api } = options;

  function eventBody(input: InterviewEventInput) {
    if (input.endsAt <= input.startsAt) throw new CalendarRequestError('the event ends before it starts', 'bad_time_range', false);
    const attendees = new Map<string, CalendarPerson>();
    for (const person of [input.organizer, ...input.attendees]) attendees.set(unionIdOf(person), person);
    return {
      summary: input.title,
      description: input.description,
      start: { dateTime: isoInZone(input.startsAt, input.timeZone), timeZone: input.timeZone },
      end: { dateTime: isoInZone(input.endsAt, input.timeZone), timeZone: input.timeZone },
      isAllDay: false,
      attendees: [...attendees.keys()].map((id) => ({ id, isOptional: false })),
      ...(input.location ? { location: { displayName: input.location } } : {}),
      reminders: [{ method: 'dingtalk', minutes: remindMinutes }],
    };
  }

  return {
    async upsertInterviewEvent(input) {
      const body = eventBody(input);
      if (input.eventRef) {
        const { unionId, eventId } = decodeEventRef(input.eventRef);
        await api.request('PUT', `${eventsPath(unionId)}/${encodeURIComponent(eventId)}`, { ...body, id: eventId });
        return { eventRef: input.eventRef };
      }
      const organizer = unionIdOf(input.organizer);
      const answer = await api.request<{ id?: string }>('POST', eventsPath(organizer), body);
      if (!answer.id) throw new DingtalkApiError(eventsPath(organizer), 200, 'no_event_id', 'no id in the answer', true);
      return { eventRef: encodeEventRef(organizer, answer.id) };
    },

    async deleteInterviewEvent(eventRef) {
      const { unionId, eventId } = decodeEventRef(eventRef);
      try {
        await api.request('DELETE', `${eventsPath(unionId)}/${encodeURIComponent(eventId)}`);
      } catch (error) {
        // Already gone (deleted before a crash, or by the organizer): the goal is reached.
        if (error instanceof DingtalkApiError && error.status === 404) return;
        throw error;
      }
    },

    async freeBusy({ people, from, to }): Promise<FreeBusy> {
      const busy = new Map<string, BusyInterval[]>();
      const byUnionId = new Map<string, CalendarPerson>();
      for (const person of people) {
        byUnionId.set(unionIdOf(person), person);
        busy.set(person.employeeId, []);
      }
      const unionIds = [...byUnionId.keys()];
      for (let i = 0; i < unionIds.length; i += maxQueryUsers) {
        const chunk = unionIds.slice(i, i + maxQueryUsers);
        const answer = await api.request<{ scheduleInformation?: ScheduleInformation[] }>(
          'POST',
          `/v1.0/calendar/users/${encodeURIComponent(chunk[0]!)}/querySchedule`,
          { userIds: chunk, startTime: from.toISOString(), endTime: to.toISOString() },
        );
        for (const info of answer.scheduleInformation ?? []) {
          const person = info.userId === undefined ? undefined : byUnionId.get(info.userId);
          if (!person) continue;
          if (info.error) throw new CalendarRequestError(`DingTalk could not read ${person.name}'s schedule: ${info.error}`, 'free_busy_error', false);
          for (const item of info.scheduleItems ?? []) {
            if (item.status === 'FREE' || !item.start?.dateTime || !item.end?.dateTime) continue;
            busy.get(person.employeeId)?.push({ startsAt: new Date(item.start.dateTime), endsAt: new Date(item.end.dateTime) });
          }
        }
      }
      for (const list of busy.values()) list.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
      return { coverage: 'complete', busy };
    },
  };
}
