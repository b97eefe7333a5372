import type { AffectedInterview, EmployeeStatus } from './roster-store';

/** WeCom caps a markdown message at 2048 bytes; each free-text field is cut well before that. */
const fieldLimit = 40;

const clip = (text: string) => (text.length > fieldLimit ? `${text.slice(0, fieldLimit - 1)}…` : text);

/** `2026-11-25 14:00` in the tenant's zone: interviewers and HR read local time, the database keeps UTC. */
export function formatLocalTime(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/**
 * The message to the owning HR of one interview that lost (or must replace) an interviewer who left or was
 * deactivated. One message per interview, so each can be acted on and acknowledged on its own.
 */
export function leaverNotice(
  employee: { readonly name: string; readonly status: EmployeeStatus },
  interview: AffectedInterview,
  timeZone: string,
): { msgtype: 'markdown'; markdown: { content: string } } {
  const left = employee.status === 'left';
  const name = clip(employee.name);
  const when = interview.startsAt ? `${formatLocalTime(interview.startsAt, timeZone)}（${timeZone}）` : '尚未确定 not yet fixed';
  const lines = [
    '**面试需要更换面试官 An interview needs a new interviewer**',
    interview.seatRemoved
      ? `面试官 ${name} ${left ? '已离职' : '的账号已停用'}，已从这场面试的面试官名单中移除。`
      : `面试官 ${name} ${left ? '已离职' : '的账号已停用'}；已有面评，面试官席位暂时保留。`,
    `> 职位 Job：${clip(interview.jobTitle)}`,
    `> 轮次 Round：${clip(interview.roundName)}`,
    `> 候选人 Candidate：${clip(interview.candidateName)}`,
    `> 时间 Time：${when}`,
    '请尽快安排新的面试官。',
    interview.seatRemoved
      ? `${name} ${left ? 'has left the company' : 'has been deactivated'} and was removed from this interview's panel. Please assign a new interviewer.`
      : `${name} ${left ? 'has left the company' : 'has been deactivated'}; their seat was kept because they already hold a scorecard. Please assign a new interviewer.`,
  ];
  return { msgtype: 'markdown', markdown: { content: lines.join('\n') } };
}
