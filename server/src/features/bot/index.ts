import type { ChartPeriod, Funnel } from '../../../contracts/bot';
import { scopeOf } from '../../domain/access-scope';
import { notFound } from '../../domain/errors';
import { addDays, instantOf, localParts, weekdayOf } from '../../domain/natural-time/zone';
import { hiringRoles, requireRole, type Principal } from '../../domain/principal';
import type { FeatureContext } from '../context';
import { hashToken, newToken } from '../sessions';

export type { BotStore, BotEmployee, BotCommandRecord, FunnelRow, AgendaRow } from './bot-store';
export { parseTimeForTenant, readTime } from './parse-time';
export { manualNudgeGapMs, nudgeLateScorecard, syncRosterNow } from './requests';
export { downloadExport, exportHeader, exportPage, exportLinkMinutes, requestExport, type SpreadsheetWriter } from './export';
export { botChatOf, offerFromChat, requireBotChat, scheduleFromChat, type BotChatRef } from './chat';
export { digestMarkdown, dispatchDueDigests, nextDigestAt, nextOccurrence, normaliseLocalTime, subscribeDigest, unsubscribeDigest, type DigestDispatchResult } from './digest';

const defaultZone = 'Asia/Shanghai';
const day = 86_400_000;

export async function tenantZone(ctx: FeatureContext, tenantId: string): Promise<string> {
  return (await ctx.stores.directory.findTenant(tenantId))?.timeZone ?? defaultZone;
}

/** [from, to) of a chart period ending now, in the tenant's zone (本月 starts at local midnight of the 1st). */
export function periodRange(period: ChartPeriod, now: Date, timeZone: string): { from: Date; to: Date } {
  const local = localParts(now.getTime(), timeZone);
  const startOf = (date: string) => new Date(instantOf(date, 0, timeZone));
  switch (period) {
    case '7d':
      return { from: new Date(now.getTime() - 7 * day), to: now };
    case '30d':
      return { from: new Date(now.getTime() - 30 * day), to: now };
    case '90d':
      return { from: new Date(now.getTime() - 90 * day), to: now };
    case 'month':
      return { from: startOf(`${local.date.slice(0, 8)}01`), to: now };
    case 'quarter': {
      const month = Math.floor((local.month - 1) / 3) * 3 + 1;
      return { from: startOf(`${local.date.slice(0, 5)}${String(month).padStart(2, '0')}-01`), to: now };
    }
    case 'year':
      return { from: startOf(`${local.date.slice(0, 5)}01-01`), to: now };
  }
}

/** The funnel's steps in order; an application counts at a step when it reached that step or a later one. */
export const funnelSteps = [
  { stage: 'applied', label: '投递' },
  { stage: 'screening', label: '筛选' },
  { stage: 'interviewing', label: '面试' },
  { stage: 'offer', label: '录用意向' },
  { stage: 'hired', label: '入职' },
] as const;

export async function jobFunnel(ctx: FeatureContext, principal: Principal, query: { jobId: string; period: ChartPeriod }): Promise<Funnel> {
  requireRole(principal, hiringRoles);
  const zone = await tenantZone(ctx, principal.tenantId);
  const { from, to } = periodRange(query.period, ctx.clock.now(), zone);
  const found = await ctx.stores.bot.funnelRows(principal.tenantId, query.jobId, from, to, scopeOf(principal));
  if (!found) throw notFound('Job', '职位');
  const rank = new Map<string, number>(funnelSteps.map((s, i) => [s.stage, i]));
  const furthest = found.rows.map((r) => Math.max(0, ...r.reached.map((s) => rank.get(s) ?? 0)));
  return {
    jobId: query.jobId,
    jobTitle: found.jobTitle,
    period: query.period,
    from: from.toISOString(),
    to: to.toISOString(),
    steps: funnelSteps.map((s, i) => ({ stage: s.stage, label: s.label, count: furthest.filter((f) => f >= i).length })),
    rejected: found.rows.filter((r) => r.stage === 'rejected').length,
    withdrawn: found.rows.filter((r) => r.stage === 'withdrawn').length,
  };
}

export type AgendaRange = 'today' | 'week';

/** 今日 / 本周: interviews of the jobs in the caller's scope, in the tenant's zone, with the marks HR looks for. */
export async function agenda(ctx: FeatureContext, principal: Principal, range: AgendaRange) {
  requireRole(principal, hiringRoles);
  const zone = await tenantZone(ctx, principal.tenantId);
  const today = localParts(ctx.clock.now().getTime(), zone).date;
  const first = range === 'today' ? today : addDays(today, 1 - weekdayOf(today));
  const last = addDays(first, range === 'today' ? 1 : 7);
  const from = new Date(instantOf(first, 0, zone));
  const to = new Date(instantOf(last, 0, zone));
  const rows = await ctx.stores.bot.agenda(principal.tenantId, from, to, scopeOf(principal), 200);
  const now = ctx.clock.now();
  return {
    range,
    from: from.toISOString(),
    to: to.toISOString(),
    timeZone: zone,
    items: rows.map((r) => ({
      interviewId: r.interviewId,
      status: r.status,
      startsAt: r.startsAt.toISOString(),
      endsAt: r.endsAt.toISOString(),
      jobTitle: r.jobTitle,
      roundName: r.roundName,
      candidateName: r.candidateName,
      panel: [...r.panel],
      mark: r.status === 'no_show' ? ('no_show' as const)
        : r.checkedInAt || r.status === 'checked_in' || r.status === 'in_progress' || r.status === 'completed' ? ('checked_in' as const)
        : r.confirmedAt ? ('confirmed' as const)
        : r.startsAt <= now ? ('late' as const) : ('unconfirmed' as const),
    })),
  };
}

/** 候选人 / 改期 / 取消: the candidate's interviews in the caller's scope (404 when the candidate is out of reach). */
export async function candidateInterviews(ctx: FeatureContext, principal: Principal, candidateId: string) {
  requireRole(principal, hiringRoles);
  const rows = await ctx.stores.bot.interviewsOfCandidate(principal.tenantId, candidateId, scopeOf(principal));
  if (!rows) throw notFound('Candidate', '候选人');
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return { items: rows.map((r) => ({ ...r, startsAt: iso(r.startsAt), endsAt: iso(r.endsAt), confirmedAt: iso(r.confirmedAt) })) };
}

/** Interviewer load over a period (tenant zone), within the caller's scope: for the chart in the bot and the H5 view. */
export async function interviewerLoad(ctx: FeatureContext, principal: Principal, period: ChartPeriod) {
  requireRole(principal, hiringRoles);
  const { from, to } = periodRange(period, ctx.clock.now(), await tenantZone(ctx, principal.tenantId));
  return ctx.stores.bot.interviewerLoad(principal.tenantId, from, to, scopeOf(principal), 15);
}

/** @-mentioned people (platform user ids) → employees of the caller's tenant; unknown or departed ids come back apart. */
export async function resolveEmployees(ctx: FeatureContext, principal: Principal, platformUserIds: readonly string[]) {
  requireRole(principal, hiringRoles);
  const found = await ctx.stores.bot.employeesByPlatformUser(principal.tenantId, [...new Set(platformUserIds)]);
  const active = found.filter((e) => e.status === 'active');
  return {
    employees: active.map((e) => ({ platformUserId: e.platformUserId, employeeId: e.id, name: e.name })),
    unknown: platformUserIds.filter((id) => !active.some((e) => e.platformUserId === id)),
  };
}

/** How long the bot may act for the person who wrote a command. */
export const botSessionSeconds = 300;

export type BotSender =
  | { readonly allowed: true; readonly employeeId: string; readonly name: string; readonly token: string }
  | { readonly allowed: false; readonly reason: 'unknown' | 'not_permitted' | 'replayed'; readonly message: string };

/**
 * The join between a verified platform message and the bot: the sender (platform user id) becomes an employee of the
 * tenant; only HR, hiring managers and admins may command the bot. The bot then gets a five-minute session of
 * method 'bot' for that employee — every call it makes is authorised as theirs, in their scope — and the command is
 * audited. Call inside the transaction that handles the inbound message.
 */
export async function admitBotSender(
  ctx: FeatureContext,
  message: { tenantId: string; platformUserId: string; messageId: string; text: string; chatType: 'group' | 'single'; platform?: 'wecom' | 'dingtalk'; chatId?: string },
): Promise<BotSender> {
  const [employee] = await ctx.stores.bot.employeesByPlatformUser(message.tenantId, [message.platformUserId]);
  if (!employee || employee.status !== 'active') {
    return { allowed: false, reason: 'unknown', message: '抱歉，未能在通讯录中找到您，请先同步通讯录。Sorry, you are not in the company roster yet.' };
  }
  if (!employee.roles.some((r) => hiringRoles.includes(r as never))) {
    return { allowed: false, reason: 'not_permitted', message: '只有 HR 和用人经理可以使用招聘助手的命令。Only HR and hiring managers can use these commands.' };
  }
  // A retried inbox event (the first attempt failed after the bot had acted) must not run the command twice.
  const requestId = message.messageId.slice(0, 100);
  if (await ctx.stores.bot.commandSeen(message.tenantId, requestId)) {
    return { allowed: false, reason: 'replayed', message: '这条命令已经处理过（可能没有收到回复）。请用“今日”或“候选人”查看结果，需要时再发一次。This command was already handled.' };
  }
  const now = ctx.clock.now();
  const token = newToken();
  await ctx.stores.bot.insertBotSession({
    tokenHash: hashToken(token), tenantId: message.tenantId, employeeId: employee.id,
    expiresAt: new Date(now.getTime() + botSessionSeconds * 1000), idleTimeoutSeconds: botSessionSeconds, now,
  });
  await ctx.stores.audit.append({
    tenantId: message.tenantId, actor: `employee:${employee.id}`, action: 'bot.command', objectType: 'bot_message', objectId: null,
    // The chat is kept with the record: requests that act on a chat (约面's origin group, 订阅) are checked against it.
    requestId, details: { chatType: message.chatType, command: message.text.slice(0, 200), ...(message.platform && message.chatId && { platform: message.platform, chatId: message.chatId }) },
  });
  return { allowed: true, employeeId: employee.id, name: employee.name, token };
}
