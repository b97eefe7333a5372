import type { Application } from '@hirebridge/server/contracts';
import { maskName } from '../format';
import type { HandlerContext } from './context';

export type Found<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/**
 * A candidate by name or phone tail, and their application to the job named (title contains). Several matches are
 * never guessed between: the person is asked to be more specific, with masked phone numbers to tell them apart.
 */
export async function findApplication(ctx: HandlerContext, who: string, job: string | null): Promise<Found<{ application: Application; candidateName: string }>> {
  const candidates = (await ctx.api.findCandidates(who)).items.filter((c) => !c.anonymised);
  const inGroup = ctx.message.chatType === 'group';
  const show = (name: string) => (inGroup ? maskName(name) : name);
  if (candidates.length === 0) return { ok: false, message: `找不到候选人“${inGroup ? maskName(who) : who}”。可以用姓名或手机尾号（后4位）查找。` };
  const applications = (await Promise.all(candidates.map((c) => ctx.api.applications({ candidateId: c.id })))).flatMap((p) => p.items);
  const matching = job ? applications.filter((a) => a.jobTitle.includes(job)) : applications.filter((a) => !['hired', 'rejected', 'withdrawn'].includes(a.stage));
  if (matching.length === 1) return { ok: true, value: { application: matching[0]!, candidateName: matching[0]!.candidateName } };
  if (matching.length === 0) {
    return { ok: false, message: job ? `${show(candidates[0]!.name)} 没有投递“${job}”。请先在 HR 后台添加投递。` : `${show(candidates[0]!.name)} 目前没有进行中的投递。` };
  }
  const lines = matching.slice(0, 5).map((a) => {
    const c = candidates.find((x) => x.id === a.candidateId);
    return `· ${show(a.candidateName)}（${c?.phoneMasked ?? '无手机号'}）— ${a.jobTitle}`;
  });
  return { ok: false, message: ['找到多个匹配，请用手机尾号或更完整的职位名再说一次：', ...lines].join('\n') };
}
