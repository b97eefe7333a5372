import type { BotAnswer } from '../channel';
import type { Command } from '../commands';
import { maskName, stageNames, statusNames, timeLabel } from '../format';
import { say, type HandlerContext } from './context';

type CandidateCommand = Extract<Command, { name: 'candidate' }>;

/**
 * 候选人 <姓名|手机尾号>: stage and interviews. In a group the name is masked and the phone stays masked; 1:1 the
 * sender sees the name (full contact data only through the audited reveal in the HR console).
 */
export async function candidate(ctx: HandlerContext, command: CandidateCommand): Promise<BotAnswer> {
  const inGroup = ctx.message.chatType === 'group';
  const found = (await ctx.api.findCandidates(command.query)).items.filter((c) => !c.anonymised);
  if (found.length === 0) return say(`找不到候选人“${inGroup ? maskName(command.query) : command.query}”。`);
  const blocks: string[] = [];
  for (const c of found.slice(0, 3)) {
    const name = inGroup ? maskName(c.name) : c.name;
    const apps = (await ctx.api.applications({ candidateId: c.id })).items;
    const interviews = (await ctx.api.candidateInterviews(c.id)).items;
    const lines = [`**${name}**（${c.phoneMasked ?? '无手机号'}）`];
    for (const a of apps) lines.push(`- ${a.jobTitle}：${stageNames[a.stage] ?? a.stage}`);
    for (const i of interviews.slice(0, 5)) {
      lines.push(`  · ${i.roundName} ${i.startsAt ? timeLabel(i.startsAt, ctx.timeZone) : '待定'} ${statusNames[i.status] ?? i.status}`);
    }
    blocks.push(lines.join('\n'));
  }
  if (found.length > 3) blocks.push(`还有 ${found.length - 3} 位匹配，请用手机尾号缩小范围。`);
  return say(blocks.join('\n\n'));
}
