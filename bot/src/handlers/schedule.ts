import type { ParsedTime } from '@hirebridge/server/contracts';
import { encodeKey } from '../card-keys';
import type { BotAnswer } from '../channel';
import type { Command, Mention } from '../commands';
import { maskName, timeLabel } from '../format';
import { answer, say, type HandlerContext } from './context';
import { findApplication, type Found } from './resolve';

type Schedule = Extract<Command, { name: 'schedule' }>;

/**
 * @-mentioned interviewers → employees. With the platform's user id (DingTalk) the server maps it; WeCom's AI bot gives
 * only the display name, which must match exactly one active employee — two people of that name are asked about.
 */
export async function resolvePanel(ctx: HandlerContext, mentions: readonly Mention[]): Promise<Found<{ employeeId: string; name: string }[]>> {
  const withId = mentions.filter((m) => m.id);
  const byId = withId.length ? await ctx.api.resolveEmployees(withId.map((m) => m.id)) : { employees: [], unknown: [] };
  if (byId.unknown.length > 0) {
    const names = withId.filter((m) => byId.unknown.includes(m.id)).map((m) => m.name);
    return { ok: false, message: `这些人不在公司通讯录中（或已离职）：${names.join('、')}。请先同步通讯录，或 @ 其他面试官。` };
  }
  const panel: { employeeId: string; name: string }[] = [];
  for (const m of mentions) {
    if (m.id) {
      const e = byId.employees.find((x) => x.platformUserId === m.id)!;
      panel.push({ employeeId: e.employeeId, name: e.name });
      continue;
    }
    const same = (await ctx.api.findEmployees(m.name)).items.filter((e) => e.name === m.name && e.status === 'active');
    if (same.length !== 1) {
      return { ok: false, message: same.length === 0 ? `通讯录里没有“${m.name}”。请确认 @ 的是公司同事。` : `通讯录里有 ${same.length} 位“${m.name}”，请在 HR 后台安排，或改 @ 其他面试官。` };
    }
    panel.push({ employeeId: same[0]!.id, name: same[0]!.name });
  }
  if (new Set(panel.map((p) => p.employeeId)).size !== panel.length) return { ok: false, message: '同一位面试官被 @ 了两次。' };
  return { ok: true, value: panel };
}

/** What to say when a time cannot be used as it is; undefined when it is one exact time. */
export function timeProblem(parsed: ParsedTime): string | undefined {
  if (parsed.kind === 'invalid') return parsed.message;
  if (parsed.kind === 'window') return `“${parsed.label}”是一个时间段，请给出具体的开始时间（如 明天下午3点），或说“让候选人选时间”。`;
  return undefined;
}

/**
 * 约面 <候选人> <职位> <时间|让候选人选时间> @面试官: finds the application, the next round and the panel, then
 * schedules at the time (the server sends the invitation) or offers the candidate times. An ambiguous time is asked
 * back with one button per reading; nothing is booked until a reading is clicked.
 */
export async function schedule(ctx: HandlerContext, command: Schedule): Promise<BotAnswer> {
  const found = await findApplication(ctx, command.candidate, command.job);
  if (!found.ok) return say(found.message);
  const { application, candidateName } = found.value;
  const resolved = await resolvePanel(ctx, command.panel);
  if (!resolved.ok) return say(resolved.message);
  const job = await ctx.api.job(application.jobId);
  const done = new Set((await ctx.api.candidateInterviews(application.candidateId)).items
    .filter((i) => i.applicationId === application.id && i.status !== 'cancelled' && i.status !== 'declined')
    .map((i) => i.roundName));
  const rounds = [...job.rounds].sort((a, b) => a.position - b.position);
  const round = rounds.find((r) => !done.has(r.name));
  if (!round) return say(`${job.title} 的面试轮次都已安排过了。如需改时间请用“改期”。`);
  const panel = resolved.value.map((p) => ({ employeeId: p.employeeId }));
  const shownName = ctx.message.chatType === 'group' ? maskName(candidateName) : candidateName;
  const panelNames = resolved.value.map((p) => p.name).join('、');

  if (command.time === null) {
    const offer = { roundId: round.id, panel };
    if (ctx.message.chatType === 'group' && ctx.requestId) {
      await ctx.api.offerFromChat(application.id, { ...offer, origin: { platform: ctx.message.platform, chatId: ctx.message.chatId, requestId: ctx.requestId } });
    } else await ctx.api.offer(application.id, offer);
    return answer({
      kind: 'card',
      title: '已请候选人选时间',
      description: `${shownName} · ${job.title} · ${round.name}\n面试官：${panelNames}\n候选人选好后会在这里看到。`,
      buttons: [],
    });
  }

  const parsed = await ctx.api.parseTime(command.time, round.durationMinutes);
  if (parsed.kind === 'ambiguous') {
    return answer({
      kind: 'card',
      title: parsed.question,
      description: `${shownName} · ${job.title} · ${round.name}，请选择您指的时间：`,
      exclusive: true,
      buttons: [
        ...parsed.options.filter((o) => o.kind === 'exact').slice(0, 4).map((o) => ({
          label: o.label,
          key: encodeKey({ a: 'schedule', app: application.id, round: round.id, at: o.start, panel: panel.map((p) => p.employeeId) }),
          style: 'primary' as const,
        })),
        { label: '都不是', key: encodeKey({ a: 'dismiss' }) },
      ],
    });
  }
  const problem = timeProblem(parsed);
  if (problem || parsed.kind !== 'exact') return say(problem ?? '时间无法识别。');
  return confirmScheduled(ctx, { applicationId: application.id, roundId: round.id, startsAt: parsed.start, panel, summary: `${shownName} · ${job.title} · ${round.name}`, panelNames, warning: parsed.warning });
}

export async function confirmScheduled(
  ctx: HandlerContext,
  input: { applicationId: string; roundId: string; startsAt: string; panel: { employeeId: string }[]; summary: string; panelNames: string; warning?: string | null },
): Promise<BotAnswer> {
  const body = { roundId: input.roundId, startsAt: input.startsAt, panel: input.panel };
  // From a group, the interview remembers that chat (checked by the server against the message it received).
  const done = ctx.message.chatType === 'group' && ctx.requestId
    ? await ctx.api.scheduleFromChat(input.applicationId, { ...body, origin: { platform: ctx.message.platform, chatId: ctx.message.chatId, requestId: ctx.requestId } })
    : await ctx.api.schedule(input.applicationId, body);
  return answer({
    kind: 'card',
    title: '面试已安排，已邀请候选人',
    description: [
      input.summary,
      `时间：${timeLabel(done.startsAt, ctx.timeZone)}`,
      input.panelNames ? `面试官：${input.panelNames}` : '',
      '状态：待候选人确认',
      input.warning ? `注意：${input.warning}` : '',
    ].filter(Boolean).join('\n'),
    buttons: [],
  });
}
