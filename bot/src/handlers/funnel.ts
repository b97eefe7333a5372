import type { BotAnswer } from '../channel';
import type { Command } from '../commands';
import { answer, say, type HandlerContext } from './context';

type FunnelCommand = Extract<Command, { name: 'funnel' }>;

const periods: readonly [RegExp, string, string][] = [
  [/^(近)?(7|七)天$|^近一周$|^本周$/, '7d', '近7天'],
  [/^(近)?(30|三十)天$|^近一个?月$/, '30d', '近30天'],
  [/^(近)?(90|九十)天$|^近三个?月$/, '90d', '近90天'],
  [/^本月$|^这个?月$/, 'month', '本月'],
  [/^本季度?$|^这个?季度$/, 'quarter', '本季度'],
  [/^本年$|^今年$/, 'year', '今年'],
];

export function readPeriod(text: string): { period: string; label: string } | undefined {
  const clean = text.replace(/\s+/g, '');
  const hit = periods.find(([re]) => re.test(clean));
  return hit && { period: hit[1], label: hit[2] };
}

/** 漏斗 <职位> <期间>: the funnel as a PNG rendered on the server, with the numbers as text too. */
export async function funnel(ctx: HandlerContext, command: FunnelCommand): Promise<BotAnswer> {
  const period = readPeriod(command.period);
  if (!period) return say(`没听懂期间“${command.period.slice(0, 20)}”。可以用：近7天、近30天、近90天、本月、本季度、今年。`);
  const jobs = (await ctx.api.findJobs(command.job)).items;
  if (jobs.length === 0) return say(`找不到职位“${command.job}”（或您无权查看）。`);
  if (jobs.length > 1) return say(['找到多个职位，请写得更完整：', ...jobs.slice(0, 5).map((j) => `· ${j.title}`)].join('\n'));
  const job = jobs[0]!;
  const data = await ctx.api.funnel(job.id, period.period);
  const png = await ctx.api.funnelPng(job.id, period.period);
  const text = data.steps.map((s) => `${s.label} ${s.count}`).join(' → ');
  return answer(
    { kind: 'image', png, alt: `${job.title} 招聘漏斗（${period.label}）` },
    { kind: 'markdown', content: `**${job.title} 招聘漏斗（${period.label}）**\n${text}\n未通过 ${data.rejected}，撤回 ${data.withdrawn}` },
  );
}
