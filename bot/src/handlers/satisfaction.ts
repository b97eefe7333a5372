import type { BotAnswer } from '../channel';
import type { Command } from '../commands';
import { say, type HandlerContext } from './context';

type SatisfactionCommand = Extract<Command, { name: 'satisfaction' }>;

/** 满意度 <职位>: the survey pulse of a job; below five answers only the count is shown (the server enforces it). */
export async function satisfaction(ctx: HandlerContext, command: SatisfactionCommand): Promise<BotAnswer> {
  if (!command.job) return say('请告诉我职位，例如：满意度 后端工程师');
  const jobs = (await ctx.api.findJobs(command.job)).items;
  if (jobs.length !== 1) return say(jobs.length === 0 ? `找不到职位“${command.job}”。` : '找到多个职位，请写得更完整。');
  const scope = jobs[0]!.title;
  const pulse = await ctx.api.satisfaction(jobs[0]!.id);
  if (!pulse.shown) return say(`**候选人满意度 · ${scope}**\n目前 ${pulse.responses} 份回复，满 5 份后才显示结果（保护候选人匿名）。`);
  const lines = [`**候选人满意度 · ${scope}**（${pulse.responses} 份回复）`, `平均分：${pulse.averageScore?.toFixed(1) ?? '—'} / 10`, `NPS：${pulse.nps ?? '—'}`];
  for (const q of pulse.questions ?? []) lines.push(`- ${q.text}：${q.average === null ? '—' : q.average.toFixed(1)}（${q.answers} 份）`);
  return say(lines.join('\n'));
}
