import type { ServerApi } from '../api';
import type { BotAnswer, Reply } from '../channel';
import type { Command } from '../commands';
import { answer, later, say, type HandlerContext } from './context';
import { readPeriod } from './funnel';

type ReportCommand = Extract<Command, { name: 'report' }>;

/** At most this many lines per section of the summary (the charts show the rest). */
const topLines = 5;

const days = (n: number) => `${n} 天`;
const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;

/** The summary under the three charts: what each chart says, in numbers. */
export function reportSummary(
  label: string,
  data: {
    timeToHire: Awaited<ReturnType<ServerApi['timeToHire']>>;
    noShows: Awaited<ReturnType<ServerApi['noShowsByJob']>>;
    load: Awaited<ReturnType<ServerApi['interviewerLoad']>>;
  },
): string {
  const { timeToHire: hires, noShows, load } = data;
  const lines = [`**招聘报表（${label}）**`, '', '**招聘周期**'];
  if (hires.hires === 0 || hires.medianDays === null || hires.p90Days === null) lines.push('该期间没有录用。');
  else {
    lines.push(`录用 ${hires.hires} 人，中位 ${days(hires.medianDays)}，P90 ${days(hires.p90Days)}`);
    for (const job of hires.jobs.slice(0, topLines)) lines.push(`· ${job.jobTitle}：录用 ${job.hires} 人，中位 ${days(job.medianDays)}，P90 ${days(job.p90Days)}`);
    if (hires.jobs.length > topLines) lines.push(`……另有 ${hires.jobs.length - topLines} 个职位`);
  }
  lines.push('', '**未到场率**');
  const byJob = [...noShows.items].sort((a, b) => b.rate - a.rate || b.interviews - a.interviews || a.label.localeCompare(b.label, 'zh-CN'));
  if (byJob.length === 0) lines.push('该期间没有已举行的面试。');
  else {
    const held = byJob.reduce((n, j) => n + j.interviews, 0);
    const missed = byJob.reduce((n, j) => n + j.noShows, 0);
    lines.push(`共 ${held} 场，未到场 ${missed} 场（${percent(held ? missed / held : 0)}）`);
    for (const job of byJob.slice(0, topLines)) lines.push(`· ${job.label}：${job.noShows}/${job.interviews}（${percent(job.rate)}）`);
    if (byJob.length > topLines) lines.push(`……另有 ${byJob.length - topLines} 个职位`);
  }
  lines.push('', `**面试官负荷（前 ${topLines} 位）**`);
  if (load.items.length === 0) lines.push('该期间没有面试。');
  else for (const person of load.items.slice(0, topLines)) lines.push(`· ${person.name}：${person.interviews} 场`);
  return lines.join('\n');
}

/**
 * 报表 <期间>: three charts rendered on the server (招聘周期, 未到场率 by job, 面试官负荷) and one summary in numbers.
 * Rendering takes a moment, so the bot says it is on it at once and the charts follow (see `later`).
 */
export function report(ctx: HandlerContext, command: ReportCommand): BotAnswer {
  const period = readPeriod(command.period);
  if (!period) return say(`没听懂期间“${command.period.slice(0, 20)}”。可以用：近7天、近30天、近90天、本月、本季度、今年。`);
  const work = (async (): Promise<BotAnswer> => {
    const p = period.period;
    // Numbers first: a refusal (FORBIDDEN) comes back before any chart is drawn.
    const [timeToHire, noShows, load] = await Promise.all([ctx.api.timeToHire(p), ctx.api.noShowsByJob(p), ctx.api.interviewerLoad(p)]);
    const [hirePng, noShowPng, loadPng] = await Promise.all([ctx.api.timeToHirePng(p), ctx.api.noShowPng(p), ctx.api.interviewerLoadPng(p)]);
    const images: Reply[] = [
      { kind: 'image', png: hirePng, alt: `招聘周期（${period.label}）` },
      { kind: 'image', png: noShowPng, alt: `未到场率（${period.label}）` },
      { kind: 'image', png: loadPng, alt: `面试官负荷（${period.label}）` },
    ];
    return answer(...images, { kind: 'markdown', content: reportSummary(period.label, { timeToHire, noShows, load }) });
  })();
  return later({ kind: 'markdown', content: `正在生成报表（${period.label}）：招聘周期、未到场率、面试官负荷，稍候发到这里。` }, work);
}
