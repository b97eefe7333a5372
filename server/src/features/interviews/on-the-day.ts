import { randomBytes } from 'node:crypto';
import { scopeOf } from '../../domain/access-scope';
import { AppError, notFound } from '../../domain/errors';
import { actorRef, hiringRoles, hrRoles, requireRole, type CandidatePrincipal, type Principal } from '../../domain/principal';
import { addDays, localDateMinutesToInstant, toZoned } from '../../domain/scheduling';
import { assertTransition } from '../../domain/state-machines';
import type { FeatureContext } from '../context';
import { notifyEmployee } from '../notifications';
import { enqueueMessage } from '../outbox';
import { candidateMessageChannel, tellPanel } from './index';

const interviewNotFound = () => notFound('Interview', '面试');

/** A site's check-in code for one local day (HR prints it as a QR at reception); the same code all day. */
export async function checkinCodeFor(ctx: FeatureContext, principal: Principal, input: { site: string; date: string }, link: (code: string) => string) {
  requireRole(principal, hrRoles);
  const tenant = await ctx.stores.directory.findTenant(principal.tenantId);
  if (!tenant) throw notFound('Tenant', '公司');
  const code = await ctx.stores.interviews.checkinCode(principal.tenantId, input.site, input.date, randomBytes(16).toString('base64url'), ctx.clock.now());
  return { site: input.site, date: input.date, code, url: link(code) };
}

/** The local day [start, end) in the zone, as instants. */
function dayBounds(localDate: string, zone: string): { from: Date; to: Date } {
  return { from: new Date(localDateMinutesToInstant(localDate, 0, zone)), to: new Date(localDateMinutesToInstant(addDays(localDate, 1), 0, zone)) };
}

/**
 * The candidate scans the reception QR: today's code of that site checks them in to their onsite interview of the
 * day (one whose room is elsewhere does not match), and the panel is told they have arrived.
 */
export async function checkIn(ctx: FeatureContext, principal: CandidatePrincipal, code: string, requestId: string) {
  const now = ctx.clock.now();
  const found = await ctx.stores.interviews.findCheckinCode(code);
  const wrong = () => new AppError('NOT_FOUND', '签到码无效或不是今天的，请向前台确认。The check-in code is not valid today.');
  if (!found || found.tenantId !== principal.tenantId) throw wrong();
  const tenant = await ctx.stores.directory.findTenant(principal.tenantId);
  if (!tenant || toZoned(now.getTime(), tenant.timeZone).date !== found.localDate) throw wrong();
  return ctx.transact(async (stores) => {
    const { from, to } = dayBounds(found.localDate, tenant.timeZone);
    const today = (await stores.interviews.candidateInterviewsBetween(principal.tenantId, principal.candidateId, from, to))
      .filter((i) => i.site === null || i.site === found.site);
    const already = today.find((i) => i.status === 'checked_in');
    const open = today.find((i) => i.status === 'scheduled' || i.status === 'confirmed');
    if (!open) {
      if (already) return { interviewId: already.id, status: 'checked_in' };
      throw new AppError('NOT_FOUND', '今天在这里没有找到您的面试，请向前台确认。No interview of yours here today.');
    }
    const interview = (await stores.interviews.findForAnswer(principal.tenantId, open.id, { lock: true }))!;
    if (!(await stores.interviews.markCheckedIn(principal.tenantId, open.id, interview.status, now))) {
      throw new AppError('CONFLICT', '面试状态已变化，请刷新。The interview changed; reload.');
    }
    await tellPanel(stores, interview, `interview:${open.id}:checked_in`, `候选人 ${interview.candidateName} 已到达前台签到（「${interview.jobTitle}」${interview.roundName}）。`);
    await stores.audit.append({ tenantId: principal.tenantId, actor: actorRef(principal), action: 'interview.check_in', objectType: 'interview', objectId: open.id, requestId });
    return { interviewId: open.id, status: 'checked_in' };
  });
}

/**
 * A panelist (or HR in scope) marks a no-show once the start has passed. The panel's time is released. The first
 * no-show of an application gets one offer to rebook, sent to the candidate; after a second, HR is asked to decide
 * what happens to the application — a person decides, never the system.
 */
export async function markNoShow(ctx: FeatureContext, principal: Principal, interviewId: string, requestId: string) {
  const now = ctx.clock.now();
  return ctx.transact(async (stores) => {
    const interview = await stores.interviews.findForAnswer(principal.tenantId, interviewId, { lock: true });
    if (!interview) throw interviewNotFound();
    const onPanel = interview.panel.some((p) => p.id === principal.employeeId);
    const inScope = principal.roles.some((r) => hiringRoles.includes(r)) && (await stores.jobs.findJob(principal.tenantId, interview.jobId, { scope: scopeOf(principal) }));
    if (!onPanel && !inScope) throw interviewNotFound();
    if (!interview.startsAt || interview.startsAt > now) throw new AppError('CONFLICT', '面试还没开始，不能标记未到场。The interview has not started yet.');
    assertTransition('interview', interview.status as 'scheduled', 'no_show');
    if (!(await stores.interviews.markNoShow(principal.tenantId, interviewId, interview.status, principal.employeeId, now))) {
      throw new AppError('CONFLICT', '面试状态已变化，请刷新。The interview changed; reload.');
    }
    await stores.interviews.releaseBookings(principal.tenantId, interviewId);
    await stores.interviews.cancelReminders(principal.tenantId, interviewId, now);
    await stores.surveys.expire(principal.tenantId, interviewId);
    await enqueueMessage(stores, {
      tenantId: principal.tenantId, channel: 'calendar_sync', recipient: interviewId, payload: { interviewId, action: 'upsert' },
      idempotencyKey: `calendar:${interviewId}:no_show`,
    });
    const noShows = await stores.interviews.countNoShows(principal.tenantId, interview.applicationId);
    if (noShows === 1) {
      await enqueueMessage(stores, {
        tenantId: principal.tenantId, channel: candidateMessageChannel, recipient: interview.candidateId, idempotencyKey: `interview:${interviewId}:rebook_offer`,
        payload: {
          interviewId,
          message: {
            kind: 'choices',
            prompt: `您好，今天的「${interview.jobTitle}」${interview.roundName}没有等到您。如果还有意向，可以重新预约一次。`,
            choices: [{ id: `interview:${interviewId}:rebook`, label: '重新预约' }, { id: `interview:${interviewId}:withdraw`, label: '不再参加' }],
          },
        },
      });
    }
    const owner = interview.ownerHrId ? (await stores.interviews.employees(principal.tenantId, [interview.ownerHrId]))[0] : undefined;
    if (owner && owner.status === 'active') {
      await notifyEmployee(stores, {
        tenantId: principal.tenantId, platformUserId: owner.platformUserId, key: `interview:${interviewId}:no_show:hr`,
        message: {
          kind: 'text',
          text: noShows === 1
            ? `候选人 ${interview.candidateName} 未到场（「${interview.jobTitle}」${interview.roundName}），已向其发出一次重新预约邀请。`
            : `候选人 ${interview.candidateName} 已第 ${noShows} 次未到场（「${interview.jobTitle}」），请决定该申请的下一步。`,
        },
      });
    }
    await stores.audit.append({ tenantId: principal.tenantId, actor: actorRef(principal), action: 'interview.no_show', objectType: 'interview', objectId: interviewId, requestId, details: { noShows } });
    return { id: interviewId, status: 'no_show', confirmedAt: null };
  });
}
