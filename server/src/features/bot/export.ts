import type { ChartPeriod, ExportSent } from '../../../contracts/bot';
import { scopeOf } from '../../domain/access-scope';
import { AppError } from '../../domain/errors';
import { localParts } from '../../domain/natural-time/zone';
import { actorRef, hiringRoles, requireRole, type Principal } from '../../domain/principal';
import type { FeatureContext } from '../context';
import { notifyEmployee } from '../notifications';
import { hashToken, newToken } from '../sessions';
import { periodRange, tenantZone } from './index';

/** Writes one sheet as a spreadsheet file (the xlsx adapter); features do not know the format. */
export type SpreadsheetWriter = (sheet: {
  readonly name: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly (string | number | null)[])[];
  readonly widths?: readonly number[];
}) => Uint8Array;

/** How long a download link works, once. */
export const exportLinkMinutes = 10;
/** At most this many rows (interview × panelist) in one file. */
export const maxExportRows = 10_000;

const statusNames: Record<string, string> = {
  draft: '草稿', awaiting_candidate: '待候选人选时间', scheduled: '待确认', confirmed: '已确认', checked_in: '已签到', in_progress: '进行中',
  completed: '已结束', no_show: '未到场', declined: '已婉拒', cancelled: '已取消',
};
const roleNames: Record<string, string> = { lead: '主面', member: '面试官', shadow: '旁听' };
const cardNames: Record<string, string> = { draft: '草稿', submitted: '已提交' };
const recommendationNames: Record<string, string> = { strong_yes: '强烈推荐', yes: '推荐', no: '不推荐', strong_no: '强烈不推荐', no_decision: '无结论' };

export const exportHeader = ['面试开始', '面试结束', '面试状态', '候选人', '职位', '轮次', '面试官', '角色', '评分卡', '推荐意见', '平均分（1–4）', '提交时间'] as const;

function local(at: Date | null, timeZone: string): string {
  if (!at) return '';
  const p = localParts(at.getTime(), timeZone);
  return `${p.date} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/**
 * 导出: interviews (with each panelist's scorecard) starting in the period, in the caller's scope, as one sheet with a
 * Chinese header. The file is never posted into a chat: the caller gets a 1:1 card with a link that works once, for
 * ten minutes (the token is stored hashed). Audited with the row count; the download is audited too.
 */
export async function requestExport(
  ctx: FeatureContext,
  principal: Principal,
  period: ChartPeriod,
  requestId: string,
  write: SpreadsheetWriter,
): Promise<ExportSent> {
  requireRole(principal, hiringRoles);
  const now = ctx.clock.now();
  const zone = await tenantZone(ctx, principal.tenantId);
  const { from, to } = periodRange(period, now, zone);
  const rows = await ctx.stores.bot.exportRows(principal.tenantId, from, to, scopeOf(principal), maxExportRows, principal.employeeId);
  const body = write({
    name: '面试与评分',
    header: exportHeader,
    rows: rows.map((r) => [
      local(r.startsAt, zone), local(r.endsAt, zone), statusNames[r.status] ?? r.status, r.candidateName, r.jobTitle, r.roundName,
      r.interviewerName, r.panelRole ? roleNames[r.panelRole] ?? r.panelRole : null, r.interviewerName ? cardNames[r.scorecardStatus ?? ''] ?? '未填写' : null,
      r.recommendation ? recommendationNames[r.recommendation] ?? r.recommendation : null, r.averageLevel, local(r.submittedAt, zone),
    ]),
    widths: [17, 17, 10, 10, 18, 10, 10, 8, 8, 10, 12, 17],
  });
  const filename = `interviews-${localParts(from.getTime(), zone).date}_${localParts(to.getTime(), zone).date}.xlsx`;
  const token = newToken();
  const expiresAt = new Date(now.getTime() + exportLinkMinutes * 60_000);
  const link = `${ctx.publicUrl ?? 'http://127.0.0.1:3000'}/api/exports/${token}`;
  await ctx.transact(async (stores) => {
    const me = await stores.copilot.employee(principal.tenantId, principal.employeeId);
    if (!me) throw new AppError('FORBIDDEN', '找不到您的员工记录。Your employee record was not found.');
    await stores.bot.expireExports(now);
    await stores.bot.insertExport({ tenantId: principal.tenantId, employeeId: principal.employeeId, tokenHash: hashToken(token), filename, body, rowCount: rows.length, expiresAt, now });
    await notifyEmployee(stores, {
      tenantId: principal.tenantId, platformUserId: me.platformUserId, key: `export:${hashToken(token).toString('hex').slice(0, 32)}`,
      message: {
        kind: 'card',
        cardId: `export-${hashToken(token).toString('hex').slice(0, 20)}`,
        title: '面试与评分导出（Excel）',
        description: `共 ${rows.length} 行，${exportLinkMinutes} 分钟内有效，仅可下载一次，请勿转发。Interviews and scores; the link works once within ${exportLinkMinutes} minutes.`,
        fields: [{ label: '时间范围', value: `${local(from, zone)} – ${local(to, zone)}` }],
        url: link,
        buttons: [],
      },
    });
    await stores.audit.append({
      tenantId: principal.tenantId, actor: actorRef(principal), action: 'interviews.export', objectType: 'tenant', objectId: principal.tenantId,
      requestId, details: { rows: rows.length, period, from: from.toISOString(), to: to.toISOString(), truncated: rows.length >= maxExportRows },
    });
  });
  return { rows: rows.length, filename, expiresAt: expiresAt.toISOString() };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * GET of a download link: a small page (Chinese first) with a 下载 button that POSTs to the same address. A chat
 * client's link preview (a crawler's GET) therefore never uses the link; only the button does. The page tells a used
 * or expired link apart from a good one, without using it.
 */
export async function exportPage(ctx: FeatureContext, token: string): Promise<string> {
  const file = await ctx.stores.bot.peekExport(hashToken(token), ctx.clock.now());
  const page = (title: string, body: string) => `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem;line-height:1.6}button{font-size:1.1rem;padding:.6rem 1.6rem}</style></head><body><h1>${title}</h1>${body}</body></html>`;
  if (!file || file.state !== 'ready') {
    const why = file?.state === 'used' ? '此链接已下载过一次，不能再次使用。This link was already used.' : '下载链接无效或已过期（10 分钟内有效）。The link is unknown or expired.';
    return page('无法下载 Cannot download', `<p>${why}</p><p>请在聊天里重新发送“导出”。Send 导出 in the chat again.</p>`);
  }
  return page('面试与评分导出 Interviews and scores', `<p>文件：${escapeHtml(file.filename)}（${file.rowCount} 行）</p><p>点击下方按钮下载。链接仅可下载一次，请勿转发。The link works once; do not forward it.</p>`
    + `<form method="post"><button type="submit">下载 Download</button></form>`);
}

/** POST of a download link (the page's button): the file once, within ten minutes; audited as the person it was made for. */
export async function downloadExport(ctx: FeatureContext, token: string, requestId: string): Promise<{ body: Uint8Array; filename: string }> {
  return ctx.transact(async (stores) => {
    const file = await stores.bot.takeExport(hashToken(token), ctx.clock.now());
    if (!file) throw new AppError('NOT_FOUND', '下载链接无效、已使用或已过期（10 分钟内仅可下载一次），请在聊天里重新发送“导出”。The link is unknown, used or expired; send 导出 again.');
    await stores.audit.append({
      tenantId: file.tenantId, actor: `employee:${file.employeeId}`, action: 'interviews.export_downloaded', objectType: 'tenant', objectId: file.tenantId,
      requestId, details: { rows: file.rowCount, filename: file.filename },
    });
    // Koa sends a Buffer as bytes (a bare Uint8Array would be serialised as JSON).
    return { body: Buffer.from(file.body.buffer, file.body.byteOffset, file.body.byteLength), filename: file.filename };
  });
}
