import { scopeOf } from '../../domain/access-scope';
import { AppError, notFound } from '../../domain/errors';
import { actorRef, requireRole, type CandidatePrincipal, type Principal } from '../../domain/principal';
import type { FeatureContext } from '../context';
import type { SurveyQuestion, SurveyResponse } from './survey-store';

export type { SurveyStore, SurveyQuestion, SurveyResponse } from './survey-store';

/** Aggregates appear only from this many answers on, so that no single candidate can be read out of them. */
export const minimumResponses = 5;

/** The candidate answers: a 0–10 pulse, the tenant's questions (ratings 1–5 or short text), an optional comment. */
export async function answerOwnSurvey(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string, response: SurveyResponse, requestId: string) {
  const mine = await ctx.stores.privacy.findCandidateInterview(principal.tenantId, principal.candidateId, interviewId);
  if (!mine) throw notFound('Interview', '面试');
  const questions = await ctx.stores.surveys.questions(principal.tenantId);
  const issues: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(response.answers)) {
    const q = questions.find((x) => `q${x.position}` === key);
    if (!q) issues.push({ path: `body.answers.${key}`, message: '没有这个问题 No such question' });
    else if (q.kind === 'rating' && !(typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5)) issues.push({ path: `body.answers.${key}`, message: '请打 1–5 分 Rate 1 to 5' });
    else if (q.kind === 'text' && !(typeof value === 'string' && value.length <= 500)) issues.push({ path: `body.answers.${key}`, message: '最多 500 字 At most 500 characters' });
  }
  if (issues.length > 0) throw new AppError('VALIDATION_FAILED', '请求参数不正确。The request has invalid fields.', issues);
  return ctx.transact(async (stores) => {
    if (!(await stores.surveys.answer(principal.tenantId, interviewId, response, ctx.clock.now()))) {
      throw new AppError('CONFLICT', '这份问卷现在不能作答（面试尚未进行，或已作答）。The survey cannot be answered now.');
    }
    await stores.audit.append({ tenantId: principal.tenantId, actor: actorRef(principal), action: 'survey.answer', objectType: 'interview', objectId: interviewId, requestId });
    return { interviewId, status: 'answered' as const };
  });
}

export async function surveyQuestions(ctx: FeatureContext, tenantId: string): Promise<SurveyQuestion[]> {
  return ctx.stores.surveys.questions(tenantId);
}

/**
 * Satisfaction per job or per interviewer. HR and hiring managers see the jobs in their scope (and their
 * interviewers); an interviewer sees only their own. Below five answers only the count is shown. Comments come
 * without anything that names or dates the candidate.
 */
export async function satisfactionReport(ctx: FeatureContext, principal: Principal, filter: { jobId?: string; interviewerId?: string }) {
  if (!filter.jobId && !filter.interviewerId) {
    throw new AppError('VALIDATION_FAILED', '请求参数不正确。The request has invalid fields.', [{ path: 'query', message: '请指定职位或面试官 Give a job or an interviewer' }]);
  }
  const hiringSide = principal.roles.some((r) => r === 'admin' || r === 'hr' || r === 'hiring_manager');
  if (filter.jobId) {
    requireRole(principal, ['admin', 'hr', 'hiring_manager']);
    if (!(await ctx.stores.jobs.findJob(principal.tenantId, filter.jobId, { scope: scopeOf(principal) }))) throw notFound('Job', '职位');
  }
  if (filter.interviewerId && filter.interviewerId !== principal.employeeId && !hiringSide) {
    throw new AppError('FORBIDDEN', '只能查看自己的面试满意度。You can only see your own.');
  }
  const responses = await ctx.stores.surveys.responses(principal.tenantId, filter);
  if (responses.length < minimumResponses) return { responses: responses.length, shown: false as const };
  const scores = responses.map((r) => r.score);
  const average = (values: number[]) => Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10;
  const promoters = scores.filter((s) => s >= 9).length;
  const detractors = scores.filter((s) => s <= 6).length;
  const questions = await ctx.stores.surveys.questions(principal.tenantId);
  return {
    responses: responses.length,
    shown: true as const,
    averageScore: average(scores),
    nps: Math.round(((promoters - detractors) / scores.length) * 100),
    questions: questions
      .filter((q) => q.kind === 'rating')
      .map((q) => {
        const values = responses.map((r) => r.answers[`q${q.position}`]).filter((v): v is number => typeof v === 'number');
        return { text: q.text, answers: values.length, average: values.length ? average(values) : null };
      }),
    comments: responses.map((r) => r.comment).filter((c): c is string => Boolean(c && c.trim())),
  };
}

export async function setSurveySettings(ctx: FeatureContext, principal: Principal, input: { questions: SurveyQuestion[] }, requestId: string) {
  requireRole(principal, ['admin']);
  return ctx.transact(async (stores) => {
    await stores.surveys.setQuestions(principal.tenantId, input.questions);
    await stores.audit.append({ tenantId: principal.tenantId, actor: actorRef(principal), action: 'survey.settings', objectType: 'tenant', objectId: principal.tenantId, requestId });
    return { questions: await stores.surveys.questions(principal.tenantId) };
  });
}
