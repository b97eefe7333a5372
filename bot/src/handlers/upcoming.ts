import type { CandidateInterviews } from '@hirebridge/server/contracts';
import { maskName } from '../format';
import type { HandlerContext } from './context';
import type { Found } from './resolve';

const open = new Set(['scheduled', 'confirmed', 'awaiting_candidate']);

/** The one open interview of the candidate named (by name or phone tail); several candidates are never guessed between. */
export async function findOpenInterview(ctx: HandlerContext, who: string): Promise<Found<{ interview: CandidateInterviews['items'][number]; candidateName: string }>> {
  const inGroup = ctx.message.chatType === 'group';
  const candidates = (await ctx.api.findCandidates(who)).items.filter((c) => !c.anonymised);
  if (candidates.length === 0) return { ok: false, message: `找不到候选人“${inGroup ? maskName(who) : who}”。可以用姓名或手机尾号（后4位）查找。` };
  if (candidates.length > 1) {
    const lines = candidates.slice(0, 5).map((c) => `· ${inGroup ? maskName(c.name) : c.name}（${c.phoneMasked ?? '无手机号'}）`);
    return { ok: false, message: ['找到多位候选人，请用手机尾号再说一次：', ...lines].join('\n') };
  }
  const candidate = candidates[0]!;
  const interviews = (await ctx.api.candidateInterviews(candidate.id)).items.filter((i) => open.has(i.status));
  if (interviews.length === 0) return { ok: false, message: `${inGroup ? maskName(candidate.name) : candidate.name} 没有待进行的面试。` };
  // Latest first from the server: the soonest open one is the last.
  return { ok: true, value: { interview: interviews[interviews.length - 1]!, candidateName: candidate.name } };
}
