import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { Router } from '@koa/router';
import { readBody } from '../http/read-body';
import { DingtalkApiError, newApiErrors } from './errors';
import type { DingtalkState } from './state';

/**
 * DingTalk 日历 (new API) on https://api.dingtalk.com paths. Users are named by **unionId** everywhere (path and
 * attendees); a userId in their place is "not found", as on the real service (pitfall: calendar path needs unionId).
 * - POST   /v1.0/calendar/users/{unionId}/calendars/primary/events            https://open.dingtalk.com/document/orgapp/create-event
 * - PUT    /v1.0/calendar/users/{unionId}/calendars/primary/events/{eventId}  https://open.dingtalk.com/document/orgapp/modify-event
 * - GET    …/events/{eventId}, DELETE …/events/{eventId}
 * - POST   /v1.0/calendar/users/{unionId}/querySchedule {userIds ≤20, startTime, endTime}
 *   https://open.dingtalk.com/document/development/free-schedule — every overlapping event of each person is BUSY,
 *   whoever created it, so conflicts are visible.
 * Error codes and statuses are "chosen": 400 `invalidParameter.<field>.<reason>` for bad input, 404 `notFound` for an
 * unknown event (the docs do not pin them down).
 */
export interface SimEventTime {
  readonly at: Date;
  /** As sent, e.g. 2026-11-25T14:00:00+08:00. */
  readonly dateTime: string;
  readonly timeZone: string;
}

export interface SimEvent {
  readonly eventId: string;
  /** The organizer, whose calendar holds the event. */
  readonly organizer: string;
  /** `api` for events made through the API; `own` for a person's own meeting scripted with addBusy. */
  readonly source: 'api' | 'own';
  summary: string;
  description: string;
  start: SimEventTime;
  end: SimEventTime;
  attendees: string[];
  location?: string;
  reminders: unknown[];
  status: 'confirmed' | 'cancelled';
  updates: number;
}

const maxQueryUsers = 20;
const maxAttendees = 500;
/** ISO 8601 with an explicit offset (or Z), as DingTalk requires for start.dateTime / end.dateTime. */
const isoWithOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const asRecord = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export class DingtalkCalendarStore {
  readonly events = new Map<string, SimEvent>();

  /** Live events where the person is organizer or attendee, by start. */
  eventsOf(unionId: string): SimEvent[] {
    return [...this.events.values()]
      .filter((e) => e.status === 'confirmed' && (e.organizer === unionId || e.attendees.includes(unionId)))
      .sort((a, b) => a.start.at.getTime() - b.start.at.getTime());
  }
}

const stores = new WeakMap<DingtalkState, DingtalkCalendarStore>();

export function dingtalkCalendarOf(state: DingtalkState): DingtalkCalendarStore {
  let store = stores.get(state);
  if (!store) {
    store = new DingtalkCalendarStore();
    stores.set(state, store);
  }
  return store;
}

const knownUnionId = (state: DingtalkState, unionId: string) => [...state.users.values()].some((u) => u.unionId === unionId);

function readTime(value: unknown, field: 'start' | 'end'): SimEventTime {
  const raw = asRecord(value);
  const dateTime = raw.dateTime;
  if (typeof dateTime !== 'string' || !isoWithOffset.test(dateTime)) {
    throw newApiErrors.invalidParameter(field, 'invalid', `${field}.dateTime 需为带时区偏移的 ISO 8601 时间`);
  }
  const timeZone = typeof raw.timeZone === 'string' && raw.timeZone ? raw.timeZone : 'Asia/Shanghai';
  return { at: new Date(dateTime), dateTime, timeZone };
}

function readEvent(state: DingtalkState, body: Record<string, unknown>) {
  const start = readTime(body.start, 'start');
  const end = readTime(body.end, 'end');
  if (end.at <= start.at) throw newApiErrors.invalidParameter('end', 'invalid', '结束时间必须晚于开始时间');
  const summary = typeof body.summary === 'string' ? body.summary : '';
  if (summary === '') throw newApiErrors.invalidParameter('summary', 'empty', 'summary 不能为空');
  const rawAttendees = body.attendees === undefined ? [] : body.attendees;
  if (!Array.isArray(rawAttendees)) throw newApiErrors.invalidParameter('attendees', 'invalid', 'attendees 需为列表');
  if (rawAttendees.length > maxAttendees) throw newApiErrors.invalidParameter('attendees', 'exceedLimit', `参与人最多 ${maxAttendees} 个`);
  const attendees = rawAttendees.map((a) => {
    const id = asRecord(a).id;
    if (typeof id !== 'string' || !knownUnionId(state, id)) throw newApiErrors.invalidParameter('attendees', 'notExist', `参与人 ${String(id)} 不存在（需为 unionId）`);
    return id;
  });
  const location = asRecord(body.location).displayName;
  return {
    summary,
    description: typeof body.description === 'string' ? body.description : '',
    start,
    end,
    attendees,
    ...(typeof location === 'string' ? { location } : {}),
    reminders: Array.isArray(body.reminders) ? body.reminders : [],
  };
}

function eventJson(e: SimEvent) {
  return {
    id: e.eventId,
    summary: e.summary,
    description: e.description,
    start: { dateTime: e.start.dateTime, timeZone: e.start.timeZone },
    end: { dateTime: e.end.dateTime, timeZone: e.end.timeZone },
    isAllDay: false,
    organizer: { id: e.organizer },
    attendees: e.attendees.map((id) => ({ id, responseStatus: 'needsAction' })),
    ...(e.location === undefined ? {} : { location: { displayName: e.location } }),
    reminders: e.reminders,
    status: e.status,
  };
}

export function dingtalkCalendarRouter(state: DingtalkState): Router {
  const router = new Router();
  const store = dingtalkCalendarOf(state);
  const base = '/v1.0/calendar/users/:unionId';

  function endpoint(method: 'get' | 'post' | 'put' | 'delete', path: string, handler: (ctx: Context, unionId: string, body: Record<string, unknown>) => object | undefined) {
    router[method](path, async (ctx) => {
      state.count(path);
      try {
        state.checkToken(ctx.get('x-acs-dingtalk-access-token') || undefined);
        const unionId = ctx.params.unionId ?? '';
        if (!knownUnionId(state, unionId)) throw newApiErrors.invalidParameter('unionId', 'notExist', `用户 ${unionId} 不存在（路径需为 unionId，不是 userId）`);
        let body: Record<string, unknown> = {};
        if (method === 'post' || method === 'put') {
          try {
            body = asRecord(JSON.parse(await readBody(ctx.req)));
          } catch {
            throw new DingtalkApiError(400, 'MissingBody', 'body is mandatory for this action.');
          }
        }
        const answer = handler(ctx as unknown as Context, unionId, body);
        if (answer === undefined) ctx.status = 204;
        else ctx.body = answer;
      } catch (error) {
        if (!(error instanceof DingtalkApiError)) throw error;
        ctx.status = error.status;
        ctx.body = error.body();
      }
    });
  }

  function eventOf(unionId: string, eventId: string | undefined): SimEvent {
    const event = eventId === undefined ? undefined : store.events.get(eventId);
    if (!event || event.status === 'cancelled' || event.organizer !== unionId) throw new DingtalkApiError(404, 'notFound', '日程不存在');
    return event;
  }

  endpoint('post', `${base}/calendars/primary/events`, (_ctx, unionId, body) => {
    const event: SimEvent = { eventId: randomBytes(12).toString('base64url'), organizer: unionId, source: 'api', status: 'confirmed', updates: 0, ...readEvent(state, body) };
    store.events.set(event.eventId, event);
    return eventJson(event);
  });

  endpoint('put', `${base}/calendars/primary/events/:eventId`, (ctx, unionId, body) => {
    const event = eventOf(unionId, ctx.params.eventId);
    if (body.id !== undefined && body.id !== event.eventId) throw newApiErrors.invalidParameter('id', 'mismatch', 'id 与路径不一致');
    Object.assign(event, readEvent(state, body), { updates: event.updates + 1 });
    return eventJson(event);
  });

  endpoint('get', `${base}/calendars/primary/events/:eventId`, (ctx, unionId) => eventJson(eventOf(unionId, ctx.params.eventId)));

  endpoint('delete', `${base}/calendars/primary/events/:eventId`, (ctx, unionId) => {
    eventOf(unionId, ctx.params.eventId).status = 'cancelled';
    return undefined;
  });

  endpoint('post', `${base}/querySchedule`, (_ctx, _unionId, body) => {
    const userIds = body.userIds;
    if (!Array.isArray(userIds) || userIds.length === 0) throw newApiErrors.invalidParameter('userIds', 'empty', 'userIds 不能为空');
    if (userIds.length > maxQueryUsers) throw newApiErrors.invalidParameter('userIds', 'exceedLimit', `userIds 最多 ${maxQueryUsers} 个`);
    const from = typeof body.startTime === 'string' && isoWithOffset.test(body.startTime) ? new Date(body.startTime) : undefined;
    const to = typeof body.endTime === 'string' && isoWithOffset.test(body.endTime) ? new Date(body.endTime) : undefined;
    if (!from || !to || to <= from) throw newApiErrors.invalidParameter('endTime', 'invalid', 'startTime/endTime 需为 ISO 8601 且结束晚于开始');
    return {
      scheduleInformation: userIds.map((userId) => {
        if (typeof userId !== 'string' || !knownUnionId(state, userId)) return { userId, error: 'user not found', scheduleItems: [] };
        const items = store
          .eventsOf(userId)
          .filter((e) => e.start.at < to && e.end.at > from)
          .map((e) => ({ status: 'BUSY', start: { dateTime: e.start.dateTime, timeZone: e.start.timeZone }, end: { dateTime: e.end.dateTime, timeZone: e.end.timeZone } }));
        return { userId, scheduleItems: items };
      }),
    };
  });

  return router;
}

/** The person's own meeting (made in the DingTalk client): busy in querySchedule, like any event. */
export function addOwnEvent(state: DingtalkState, input: { unionId: string; start: string; end: string; summary?: string; timeZone?: string }): SimEvent {
  if (!knownUnionId(state, input.unionId)) throw new Error(`no DingTalk user with unionId ${input.unionId}`);
  const timeZone = input.timeZone ?? 'Asia/Shanghai';
  const event: SimEvent = {
    eventId: randomBytes(12).toString('base64url'),
    organizer: input.unionId,
    source: 'own',
    summary: input.summary ?? '会议',
    description: '',
    start: { at: new Date(input.start), dateTime: input.start, timeZone },
    end: { at: new Date(input.end), dateTime: input.end, timeZone },
    attendees: [],
    reminders: [],
    status: 'confirmed',
    updates: 0,
  };
  dingtalkCalendarOf(state).events.set(event.eventId, event);
  return event;
}
