import {
  AddNote,
  AddQuestionMark,
  AppendSegment,
  CandidateBrief,
  CopilotInterviewParams,
  CorrectSegment,
  Debrief,
  DebriefDecision,
  DebriefDecisionInput,
  DecideDraftItem,
  DraftItem,
  DraftItemParams,
  DraftItems,
  InterviewNote,
  InterviewNotes,
  Kit,
  LateScorecards,
  MyInterviewList,
  MyInterviewsQuery,
  MyScorecard,
  PendingScorecards,
  PendingScorecardsQuery,
  PromptRequest,
  Prompts,
  QuestionMark,
  SaveScorecard,
  ScorecardDetail,
  ScorecardPolicy,
  SegmentCorrections,
  SegmentFlags,
  SegmentParams,
  TranscriptSegment,
} from '../../../contracts';
import * as copilot from '../../features/copilot';
import { route } from '../route';

/** The interviewer copilot: kit and brief, live notes, prompts, scorecards, HR's late list, the debrief. */
export const copilotRoutes = [
  route({
    method: 'get', path: '/api/interviewer/interviews', summary: '我的面试（今天及之后）My interviews, today and upcoming', tag: 'copilot', access: 'session',
    query: MyInterviewsQuery, response: MyInterviewList,
    handler: ({ features, principal, query }) => copilot.myInterviews(features, principal, query.days),
  }),
  route({
    method: 'get', path: '/api/interviewer/pending-scorecards', summary: '我待交的评分卡（含逾期）Scorecards I still owe, overdue first', tag: 'copilot', access: 'session',
    query: PendingScorecardsQuery, response: PendingScorecards,
    handler: ({ features, principal, query }) => copilot.pendingScorecards(features, principal, query),
  }),
  route({
    method: 'get', path: '/api/interviews/:interviewId/kit', summary: '面试包 The interview kit', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, response: Kit,
    handler: ({ features, principal, params }) => copilot.getKit(features, principal, params.interviewId),
  }),
  route({
    method: 'get', path: '/api/interviews/:interviewId/brief', summary: '候选人简介（已脱敏）Candidate brief (masked)', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, response: CandidateBrief,
    handler: ({ features, principal, params }) => copilot.getBrief(features, principal, params.interviewId),
  }),
  route({
    method: 'get', path: '/api/interviews/:interviewId/notes', summary: '面试笔记与转写 Notes and transcript', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, response: InterviewNotes,
    handler: ({ features, principal, params }) => copilot.getNotes(features, principal, params.interviewId),
  }),
  route({
    method: 'post', path: '/api/interviews/:interviewId/segments', summary: '追加转写片段 Append a transcript segment', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, body: AppendSegment, response: TranscriptSegment, status: 201,
    handler: ({ features, principal, params, body }) => copilot.appendSegment(features, principal, params.interviewId, body),
  }),
  route({
    method: 'post', path: '/api/interviews/:interviewId/segments/:segmentId/corrections', summary: '更正转写（保留历史）Correct a segment (history kept)', tag: 'copilot', access: 'session',
    params: SegmentParams, body: CorrectSegment, response: TranscriptSegment,
    handler: ({ features, principal, params, body }) => copilot.correctSegment(features, principal, params.interviewId, params.segmentId, body.text),
  }),
  route({
    method: 'get', path: '/api/interviews/:interviewId/segments/:segmentId/corrections', summary: '转写更正历史 A segment’s corrections', tag: 'copilot', access: 'session',
    params: SegmentParams, response: SegmentCorrections,
    handler: ({ features, principal, params }) => copilot.segmentHistory(features, principal, params.interviewId, params.segmentId),
  }),
  route({
    method: 'patch', path: '/api/interviews/:interviewId/segments/:segmentId', summary: '标星或标记题目 Star a segment or tag its question', tag: 'copilot', access: 'session',
    params: SegmentParams, body: SegmentFlags, response: TranscriptSegment,
    handler: ({ features, principal, params, body }) => copilot.flagSegment(features, principal, params.interviewId, params.segmentId, body),
  }),
  route({
    method: 'post', path: '/api/interviews/:interviewId/question-marks', summary: '标记正在问的题目 Mark the question being asked', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, body: AddQuestionMark, response: QuestionMark, status: 201,
    handler: ({ features, principal, params, body }) => copilot.markQuestion(features, principal, params.interviewId, body),
  }),
  route({
    method: 'post', path: '/api/interviews/:interviewId/typed-notes', summary: '手写笔记 Add a typed note', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, body: AddNote, response: InterviewNote, status: 201,
    handler: ({ features, principal, params, body }) => copilot.addNote(features, principal, params.interviewId, body),
  }),
  route({
    method: 'post', path: '/api/interviews/:interviewId/prompts', summary: '追问提示（规则，可解释）Rule-based prompts for an answer', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, body: PromptRequest, response: Prompts,
    handler: ({ features, principal, params, body }) => copilot.prompts(features, principal, params.interviewId, body, { rephrase: true }),
  }),
  route({
    method: 'get', path: '/api/interviews/:interviewId/my-scorecard', summary: '我的评分卡 My scorecard', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, response: MyScorecard,
    handler: ({ features, principal, params }) => copilot.myScorecard(features, principal, params.interviewId),
  }),
  route({
    method: 'put', path: '/api/interviews/:interviewId/my-scorecard', summary: '保存评分卡（提交后修改生成新版本）Save my scorecard', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, body: SaveScorecard, response: ScorecardDetail,
    handler: ({ features, principal, params, body, requestId }) => copilot.saveScorecard(features, principal, params.interviewId, body, false, requestId),
  }),
  route({
    method: 'post', path: '/api/interviews/:interviewId/my-scorecard/submit', summary: '提交评分卡 Submit my scorecard', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, body: SaveScorecard, response: ScorecardDetail,
    handler: ({ features, principal, params, body, requestId }) => copilot.saveScorecard(features, principal, params.interviewId, body, true, requestId),
  }),
  route({
    method: 'post', path: '/api/interviews/:interviewId/my-scorecard/draft', summary: '生成评分草稿（引用转写）Draft from the transcript', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, response: DraftItems,
    handler: ({ features, principal, params }) => copilot.draftScorecard(features, principal, params.interviewId),
  }),
  route({
    method: 'post', path: '/api/interviews/:interviewId/my-scorecard/draft/:itemId', summary: '采纳、修改或忽略草稿条目 Accept, edit or dismiss a draft item', tag: 'copilot', access: 'session',
    params: DraftItemParams, body: DecideDraftItem, response: DraftItem,
    handler: ({ features, principal, params, body }) => copilot.decideDraftItem(features, principal, params.interviewId, params.itemId, body),
  }),
  route({
    method: 'get', path: '/api/interviews/:interviewId/debrief', summary: '面评汇总 Debrief summary', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, response: Debrief,
    handler: ({ features, principal, params }) => copilot.debrief(features, principal, params.interviewId),
  }),
  route({
    method: 'post', path: '/api/interviews/:interviewId/debrief/decision', summary: '记录面评决定（署名与理由）Record the debrief decision', tag: 'copilot', access: 'session',
    params: CopilotInterviewParams, body: DebriefDecisionInput, response: DebriefDecision, status: 201,
    handler: ({ features, principal, params, body, requestId }) => copilot.decide(features, principal, params.interviewId, body, requestId),
  }),
  route({
    method: 'get', path: '/api/scorecards/late', summary: '逾期未交的评分卡 Late scorecards', tag: 'copilot', access: 'session',
    response: LateScorecards,
    handler: ({ features, principal }) => copilot.lateScorecards(features, principal),
  }),
  route({
    method: 'get', path: '/api/scorecard-policy', summary: '评分卡期限 Scorecard deadline', tag: 'copilot', access: 'session',
    response: ScorecardPolicy,
    handler: ({ features, principal }) => copilot.getScorecardPolicy(features, principal),
  }),
  route({
    method: 'put', path: '/api/scorecard-policy', summary: '设置评分卡期限 Set the scorecard deadline', tag: 'copilot', access: 'session',
    body: ScorecardPolicy, response: ScorecardPolicy,
    handler: ({ features, principal, body, requestId }) => copilot.setScorecardPolicy(features, principal, body.dueMinutes, requestId),
  }),
];
