import type { ManualNudge, RosterSyncResult } from '../../../contracts/bot';
import { scopeOf } from '../../domain/access-scope';
import { AppError, notFound } from '../../domain/errors';
import { actorRef, hiringRoles, hrRoles, requireRole, type Principal } from '../../domain/principal';
import { DirectoryNotConfiguredError } from '../../ports/employee-directory';
import type { FeatureContext } from '../context';
import { defaultScorecardDueMinutes } from '../copilot';
import { formatLocal, scorecardLink } from '../copilot/nudges';
import { notifyEmployee } from '../notifications';
import { syncRoster } from '../roster';

/** A manual nudge (催办) of one interviewer for one interview is refused for this long after the previous one. */
export const manualNudgeGapMs = 3_600_000;
const defaultPublicUrl = 'http://127.0.0.1:3000';

/**
 * 面评进度 → 催办: nudges one interviewer whose scorecard is late now, with the same card and deep link as the
 * scheduled nudges (a nudge record plus an outbox card). Only a late scorecard in the caller's scope can be nudged, at
 * most once an hour per interview and interviewer (RATE_LIMITED), and every nudge is audited.
 */
export async function nudgeLateScorecard(
  ctx: FeatureContext,
  principal: Principal,
  input: { interviewId: string; interviewerId: string },
  requestId: string,
): Promise<ManualNudge> {
  requireRole(principal, hiringRoles);
  const publicUrl = ctx.publicUrl ?? defaultPublicUrl;
  return ctx.transact(async (stores) => {
    const now = ctx.clock.now();
    // The interview row lock serialises two clicks on the same button: the second one sees the first one's nudge.
    const interview = await stores.copilot.interview(principal.tenantId, input.interviewId, { lock: true });
    const inScope = interview && (await stores.jobs.findJob(principal.tenantId, interview.jobId, { scope: scopeOf(principal) }));
    const seat = interview?.panel.find((p) => p.employeeId === input.interviewerId && p.role !== 'shadow');
    if (!interview || !inScope || !seat) throw notFound('Interviewer on this interview', '面试或面试官');
    if (seat.status !== 'active') throw new AppError('CONFLICT', `${seat.name} 已不在职，无法催办。The interviewer is no longer active.`);
    const late = (await stores.copilot.lateScorecards(principal.tenantId, scopeOf(principal), now, defaultScorecardDueMinutes))
      .find((r) => r.interviewId === input.interviewId && r.interviewerId === input.interviewerId);
    if (!late) throw new AppError('CONFLICT', `${seat.name} 的评分卡未逾期或已提交，无需催办。The scorecard is not late.`);
    const last = await stores.bot.lastManualNudgeAt(principal.tenantId, input.interviewId, input.interviewerId);
    if (last && now.getTime() - last.getTime() < manualNudgeGapMs) {
      const next = new Date(last.getTime() + manualNudgeGapMs);
      throw new AppError('RATE_LIMITED', `一小时内已催办过 ${seat.name}，${formatLocal(next, interview.timeZone)} 后可再次催办。Already nudged within the hour.`);
    }
    const key = `nudge-manual:${input.interviewId}:${input.interviewerId}:${now.getTime()}`;
    const title = `${interview.jobTitle}·${interview.roundName}`;
    await notifyEmployee(stores, {
      tenantId: principal.tenantId, platformUserId: seat.platformUserId, key,
      message: {
        kind: 'card',
        cardId: `nudge-m-${input.interviewId.slice(0, 8)}-${now.getTime()}`.slice(0, 64),
        title: `HR 催办：请提交评分卡 ${title}`,
        description: `候选人：${interview.candidateName}。评分卡已逾期，请尽快提交。`,
        fields: [{ label: '截止', value: formatLocal(late.dueAt, interview.timeZone) }],
        url: scorecardLink(publicUrl, input.interviewId),
        buttons: [{ key: `scorecard:${input.interviewId}`, text: '去评分', style: 'primary' }],
      },
    });
    await stores.copilot.recordNudge({ tenantId: principal.tenantId, interviewId: input.interviewId, interviewerId: input.interviewerId, kind: 'nudge', recipientId: seat.employeeId, outboxKey: `chat:${key}`, now });
    await stores.audit.append({
      tenantId: principal.tenantId, actor: actorRef(principal), action: 'scorecard.nudge', objectType: 'interview', objectId: input.interviewId,
      requestId, details: { interviewerId: input.interviewerId, manual: true },
    });
    return {
      interviewId: input.interviewId, interviewerId: input.interviewerId, interviewerName: seat.name,
      sentAt: now.toISOString(), nextAllowedAt: new Date(now.getTime() + manualNudgeGapMs).toISOString(),
    };
  });
}

/**
 * 同步: the tenant's roster sync, now (admin or HR), with the directory of the platform the tenant runs on. One run
 * per tenant at a time (CONFLICT while another runs); requested and finished runs are audited with the counts.
 */
export async function syncRosterNow(ctx: FeatureContext, principal: Principal, requestId: string): Promise<RosterSyncResult> {
  requireRole(principal, hrRoles);
  const tenant = await ctx.stores.directory.findTenant(principal.tenantId);
  if (!tenant) throw notFound('Tenant', '租户');
  const directoryFor = ctx.rosterDirectories?.[tenant.platform === 'dingtalk' ? 'dingtalk_app' : 'wecom_contacts'];
  const notConfigured = () => new AppError('CONFLICT', '本企业尚未配置通讯录同步（企业微信“通讯录同步”或钉钉通讯录权限），请联系管理员。The roster directory is not configured.');
  if (!directoryFor) throw notConfigured();
  let report;
  try {
    report = await syncRoster(ctx, await directoryFor(principal.tenantId), principal.tenantId);
  } catch (error) {
    if (error instanceof DirectoryNotConfiguredError) throw notConfigured();
    if (error instanceof AppError) throw error;
    await ctx.stores.audit.append({
      tenantId: principal.tenantId, actor: actorRef(principal), action: 'roster.sync_requested', objectType: 'tenant', objectId: principal.tenantId,
      requestId, details: { failed: true, error: String((error as Error)?.message ?? error).slice(0, 200) },
    });
    throw new AppError('CONFLICT', '通讯录平台暂时无法访问，同步未完成，请稍后再试。The directory could not be read; try again later.');
  }
  const errors = [
    ...report.departments.notOnPlatform.map((id) => ({ code: 'department_gone', message: `部门 ${id} 在平台上已不存在 Department no longer on the platform` })),
    ...report.released.interviewsWithoutHr.map((id) => ({ code: 'interview_without_hr', message: `面试 ${id} 的面试官已离职，且没有负责的 HR 可通知 No HR to tell` })),
  ];
  const result: RosterSyncResult = {
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    added: report.employees.created,
    updated: report.employees.updated,
    left: report.employees.left + report.employees.disabled,
    unchanged: report.employees.unchanged,
    departments: { added: report.departments.created, updated: report.departments.updated, unchanged: report.departments.unchanged },
    errors,
  };
  await ctx.stores.audit.append({
    tenantId: principal.tenantId, actor: actorRef(principal), action: 'roster.sync_requested', objectType: 'tenant', objectId: principal.tenantId,
    requestId, details: { added: result.added, updated: result.updated, left: result.left, unchanged: result.unchanged, errors: errors.length },
  });
  return result;
}
