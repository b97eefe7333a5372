import { sql } from 'kysely';
import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { CalendarRequestError, type Calendar, type CalendarPerson } from '../../ports/calendar';
import type { Clock } from '../../ports/clock';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../ports/outbound-sender';
import { createDingtalkApi, DingtalkApiError } from '../dingtalk/api-client';
import { DingtalkAppMisconfiguredError, dingtalkCredentialsOf } from '../dingtalk/app-identity';
import { dingtalkCalendar } from '../dingtalk/calendar';
import { resolveSecretRef, SecretUnavailableError } from '../platform/secret-ref';
import type { Db } from '../postgres/database';
import type { TokenCache } from '../postgres/token-cache';
import { createWecomApi, WecomApiError } from '../wecom/api-client';
import { wecomCalendar } from '../wecom/calendar';

/** The outbox channel; payload `{interviewId, action: 'upsert' | 'delete'}`, recipient = the interview id. */
export const calendarSyncChannel = 'calendar_sync';

export interface TenantCalendar {
  /** The platform app whose calendar holds the events (calendar_events.app_id). */
  readonly appId: string;
  readonly calendar: Calendar;
}

export type CalendarFor = (tenantId: string) => Promise<TenantCalendar | undefined>;

/** Interviews in these states have no place in anyone's calendar: an upsert of one deletes its event. */
const offCalendar = new Set(['draft', 'awaiting_candidate', 'cancelled', 'declined', 'no_show']);
const modeNames = { onsite: '现场', video: '视频', phone: '电话' } as const;

/**
 * The tenant's Calendar adapter: the WeCom app's 日程 for WeCom tenants, the DingTalk app's 日历 for DingTalk ones.
 * `wecomCalendarId` gives the app's own WeCom calendar (oa/calendar/add) when the tenant has one; without it
 * schedules go to the organizer's default calendar (and free/busy is unavailable, see wecom/calendar.ts).
 */
export function platformCalendars(deps: {
  findApp(tenantId: string, kind: 'wecom_app' | 'dingtalk_app'): Promise<PlatformApp | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  tokens: TokenCache;
  log: Logger;
  wecomCalendarId?: (tenantId: string) => string | undefined;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}): CalendarFor {
  const cache = new Map<string, TenantCalendar>();
  const transport = { tokens: deps.tokens, log: deps.log, ...(deps.fetch && { fetch: deps.fetch }), ...(deps.sleep && { sleep: deps.sleep }) };
  return async (tenantId) => {
    const app = (await deps.findApp(tenantId, 'wecom_app')) ?? (await deps.findApp(tenantId, 'dingtalk_app'));
    if (!app) return undefined;
    const cached = cache.get(app.id);
    if (cached) return cached;
    let calendar: Calendar;
    if (app.kind === 'wecom_app') {
      if (!app.agentId) return undefined;
      const secret = resolveSecretRef(app.secretRef, { env: deps.env, demoAllowed: app.tenantIsDemo });
      const api = createWecomApi({ credentials: { appId: app.id, corpId: app.corpId, secret, baseUrl: app.apiBaseUrl }, ...transport });
      const calId = deps.wecomCalendarId?.(tenantId);
      calendar = wecomCalendar({ api, agentId: Number(app.agentId), ...(calId === undefined ? {} : { calId }) });
    } else {
      calendar = dingtalkCalendar({ api: createDingtalkApi({ credentials: dingtalkCredentialsOf(app, deps.env), ...transport }) });
    }
    const made = { appId: app.id, calendar };
    cache.set(app.id, made);
    return made;
  };
}

function verdictOf(error: unknown): never {
  if (error instanceof SendFailedError) throw error;
  if (error instanceof CalendarRequestError) throw new SendFailedError(error.message, error.retryable, error.code);
  if (error instanceof WecomApiError) throw new SendFailedError(error.message, error.retryable, String(error.errcode));
  if (error instanceof DingtalkApiError) throw new SendFailedError(error.message, error.retryable, error.code);
  if (error instanceof SecretUnavailableError) throw new SendFailedError(error.message, false, 'no_secret');
  if (error instanceof DingtalkAppMisconfiguredError) throw new SendFailedError(error.message, false, 'no_app');
  throw error;
}

/**
 * Sender of the `calendar_sync` outbox channel: reads the interview as it is NOW (not as it was when the row was
 * queued), so an out-of-date or retried row converges on the current schedule:
 * - scheduled/confirmed/… with a time → create the event, or update the one recorded in calendar_events;
 * - cancelled/declined/no-show/unscheduled, or action `delete` → delete the recorded event (a gone event is fine).
 * One sync per interview and app at a time (an advisory lock held across the platform call), and the reference is
 * stored in the same transaction, so a retry after a crash before the outbox row was marked sent updates the event
 * instead of making a second one. A crash between the platform's answer and that commit can still leave one
 * orphan event: neither WeCom nor DingTalk takes an idempotency key on create.
 */
export function calendarSyncSender(deps: { db: Db; clock: Clock; calendarFor: CalendarFor }): OutboundSender {
  const { db, clock } = deps;

  return {
    async send(message: OutboundMessage) {
      const { interviewId, action } = message.payload;
      if (typeof interviewId !== 'string' || (action !== 'upsert' && action !== 'delete')) {
        throw new SendFailedError('payload needs {interviewId, action: upsert|delete}', false, 'bad_payload');
      }
      let target: TenantCalendar | undefined;
      try {
        target = await deps.calendarFor(message.tenantId);
      } catch (error) {
        verdictOf(error);
      }
      if (!target) throw new SendFailedError('租户未配置带日历的平台应用 (tenant has no WeCom or DingTalk app)', false, 'no_app');
      const { appId, calendar } = target;

      return db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtextextended(${`hirebridge.calendar:${interviewId}:${appId}`}, 0))`.execute(trx);
        const interview = await trx
          .selectFrom('interviews as i')
          .innerJoin('applications as a', (j) => j.onRef('a.id', '=', 'i.application_id').onRef('a.tenant_id', '=', 'i.tenant_id'))
          .innerJoin('candidates as c', (j) => j.onRef('c.id', '=', 'a.candidate_id').onRef('c.tenant_id', '=', 'a.tenant_id'))
          .innerJoin('jobs as jb', (j) => j.onRef('jb.id', '=', 'a.job_id').onRef('jb.tenant_id', '=', 'a.tenant_id'))
          .innerJoin('interview_rounds as r', (j) => j.onRef('r.id', '=', 'i.round_id').onRef('r.tenant_id', '=', 'i.tenant_id'))
          .innerJoin('tenants as t', 't.id', 'i.tenant_id')
          .leftJoin('rooms as rm', (j) => j.onRef('rm.id', '=', 'i.room_id').onRef('rm.tenant_id', '=', 'i.tenant_id'))
          .select([
            'i.status',
            'i.mode',
            'i.starts_at',
            'i.ends_at',
            'i.location',
            'i.meeting_url',
            'i.schedule_version',
            'i.owner_hr_id',
            'c.name as candidate_name',
            'jb.title as job_title',
            'r.name as round_name',
            't.time_zone',
            'rm.name as room_name',
            'rm.address as room_address',
          ])
          .where('i.tenant_id', '=', message.tenantId)
          .where('i.id', '=', interviewId)
          .executeTakeFirst();
        const stored = await trx.selectFrom('calendar_events').selectAll().where('interview_id', '=', interviewId).where('app_id', '=', appId).executeTakeFirst();
        const live = stored && stored.deleted_at === null ? stored : undefined;

        const wantsEvent = action === 'upsert' && interview && !offCalendar.has(interview.status) && interview.starts_at && interview.ends_at;
        if (!wantsEvent) {
          if (!live) return { receipt: { action: 'delete', eventRef: stored?.event_ref ?? null, alreadyGone: true } };
          try {
            await calendar.deleteInterviewEvent(live.event_ref);
          } catch (error) {
            verdictOf(error);
          }
          await trx
            .updateTable('calendar_events')
            .set({ deleted_at: clock.now(), synced_at: clock.now() })
            .where('interview_id', '=', interviewId)
            .where('app_id', '=', appId)
            .execute();
          return { receipt: { action: 'delete', eventRef: live.event_ref } };
        }

        const panel = await trx
          .selectFrom('interview_panelists as p')
          .innerJoin('employees as e', (j) => j.onRef('e.id', '=', 'p.employee_id').onRef('e.tenant_id', '=', 'p.tenant_id'))
          .select(['e.id', 'e.name', 'e.platform_user_id', 'e.platform_union_id', 'p.role'])
          .where('p.tenant_id', '=', message.tenantId)
          .where('p.interview_id', '=', interviewId)
          .orderBy('e.platform_user_id')
          .execute();
        if (panel.length === 0) throw new SendFailedError('面试没有面试官，无法写入日历 (interview has no panelists)', false, 'no_panel');
        const person = (e: (typeof panel)[number]): CalendarPerson => ({ employeeId: e.id, name: e.name, platformUserId: e.platform_user_id, platformUnionId: e.platform_union_id });
        // The lead panelist organises (the event sits in their calendar); the first panelist when there is no lead.
        const organizer = person(panel.find((p) => p.role === 'lead') ?? panel[0]!);
        const where = interview.room_name ? [interview.room_name, interview.room_address].filter(Boolean).join(' · ') : interview.location || (interview.meeting_url ?? '');
        const description = [
          `候选人：${interview.candidate_name}`,
          `岗位：${interview.job_title}`,
          `轮次：${interview.round_name}`,
          `形式：${modeNames[interview.mode]}`,
          ...(interview.meeting_url ? [`会议链接：${interview.meeting_url}`] : []),
        ].join('\n');

        let eventRef: string;
        try {
          ({ eventRef } = await calendar.upsertInterviewEvent({
            ...(live ? { eventRef: live.event_ref } : {}),
            title: `面试：${interview.candidate_name} · ${interview.job_title}（${interview.round_name}）`,
            description,
            startsAt: interview.starts_at!,
            endsAt: interview.ends_at!,
            timeZone: interview.time_zone,
            location: where,
            organizer,
            attendees: panel.map(person),
          }));
        } catch (error) {
          verdictOf(error);
        }
        const now = clock.now();
        await trx
          .insertInto('calendar_events')
          .values({ tenant_id: message.tenantId, interview_id: interviewId, app_id: appId, event_ref: eventRef, schedule_version: interview.schedule_version, synced_at: now, deleted_at: null })
          .onConflict((oc) => oc.columns(['interview_id', 'app_id']).doUpdateSet({ event_ref: eventRef, schedule_version: interview.schedule_version, synced_at: now, deleted_at: null }))
          .execute();
        return { receipt: { action: live ? 'update' : 'create', eventRef, scheduleVersion: interview.schedule_version } };
      });
    },
  };
}
