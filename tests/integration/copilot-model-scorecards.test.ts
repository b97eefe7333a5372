import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@hirebridge/config';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { scorecardDrafterOf, type DrafterLog } from '../../server/src/adapters/llm/openai-compatible';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * Scorecard drafts from the company's own OpenAI-compatible model (HB_COPILOT_MODEL_*), over HTTP on real PostgreSQL
 * with the simulator as the model endpoint: items come from the model, cite only this interview's segments, are
 * proposals the interviewer decides on (never a submission), and any model failure drafts with the rules instead.
 */
const clock = fixedClock('2026-11-24T03:10:00Z'); // after the interview
const month = 30 * 86_400_000;

let db: TestDatabase;
let sim: Simulator;
let api: TestApp;
let t: TenantFixture;
let token: string;
let interviewId: string;
let competencies: { id: string; name: string }[];
const segmentIds: string[] = [];
const drafterLogs: string[] = [];
const auth = () => ({ authorization: `Bearer ${token}` });
const draft = () => api.http.post(`/api/interviews/${interviewId}/my-scorecard/draft`).set(auth()).expect(200);

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator();
  // Configured as an operator would: the environment, parsed and checked by the config schema.
  const config = loadConfig({ HB_COPILOT_MODEL_URL: `${sim.url}/v1`, HB_COPILOT_MODEL_NAME: 'qwen2.5-7b-instruct', HB_COPILOT_MODEL_KEY: 'sk-sim-hirebridge', HB_COPILOT_MODEL_TIMEOUT_MS: '3000' });
  const log: DrafterLog = { info: (o, m) => drafterLogs.push(JSON.stringify({ ...o, m })), warn: (o, m) => drafterLogs.push(JSON.stringify({ ...o, m })) };
  const companyModel = scorecardDrafterOf(config.copilotModel!, log);
  api = createTestApp(db, { clock, features: { ...db.features(clock), scorecardDrafter: companyModel, probePhraser: companyModel } });
  t = await createTenant(db.db);
  const admin = await signIn(db.db, t, t.employees.admin.id, month);
  token = await signIn(db.db, t, t.employees.interviewer.id, month);

  const job = await api.http.post('/api/jobs').set({ authorization: `Bearer ${admin}` }).send({ title: '后端工程师', departmentId: t.departmentId, rounds: [{ name: '技术面', durationMinutes: 60 }] }).expect(201);
  const levels = [1, 2, 3, 4].map((level) => ({ level, label: `L${level}`, description: `等级 ${level} 的行为描述` }));
  await api.http.put(`/api/jobs/${job.body.id}/competency-model`).set({ authorization: `Bearer ${admin}` }).send({
    note: '',
    competencies: [
      { name: '系统设计', description: '高并发系统的架构与性能优化', weight: 60, rubric: levels, questions: [{ text: '讲一个你设计的高并发系统。', followUps: ['瓶颈在哪里？'] }] },
      { name: '协作沟通', description: '跨团队推动与沟通', weight: 40, rubric: levels, questions: [{ text: '说说一次跨团队推动项目的经历。', followUps: [] }] },
    ],
  }).expect((r) => expect(r.status).toBeLessThan(300));
  await api.http.post(`/api/jobs/${job.body.id}/status`).set({ authorization: `Bearer ${admin}` }).send({ status: 'open' }).expect(200);
  const hr = await signIn(db.db, t, t.employees.hr.id, month);
  const candidateId = (await api.http.post('/api/candidates').set({ authorization: `Bearer ${hr}` }).send({ name: '林晓雨', phone: '13912345678' }).expect(201)).body.id as string;
  const application = await api.http.post('/api/applications').set({ authorization: `Bearer ${hr}` }).send({ candidateId, jobId: job.body.id }).expect(201);
  await db.db.updateTable('applications').set({ stage: 'interviewing' }).where('id', '=', application.body.id).execute();
  const model = await db.db.selectFrom('competency_models').select('id').where('job_id', '=', job.body.id).executeTakeFirstOrThrow();
  const round = await db.db.selectFrom('interview_rounds').select('id').where('job_id', '=', job.body.id).executeTakeFirstOrThrow();
  competencies = await db.db.selectFrom('competencies').select(['id', 'name']).where('model_id', '=', model.id).orderBy('position').execute();
  const interview = await db.db.insertInto('interviews').values({
    tenant_id: t.tenantId, application_id: application.body.id, round_id: round.id, competency_model_id: model.id, status: 'completed',
    starts_at: new Date('2026-11-24T02:00:00Z'), ends_at: new Date('2026-11-24T03:00:00Z'), location: '星河大厦 12 层', schedule_version: 1,
  }).returning('id').executeTakeFirstOrThrow();
  interviewId = interview.id;
  await db.db.insertInto('interview_panelists').values({ tenant_id: t.tenantId, interview_id: interviewId, employee_id: t.employees.interviewer.id, role: 'lead', focus_competency_ids: [] }).execute();
  for (const purpose of ['transcription', 'interview_recording'] as const) {
    await db.db.insertInto('consents').values({ tenant_id: t.tenantId, candidate_id: candidateId, purpose, notice_version: '2026-11', channel: 'miniapp', given_at: new Date('2026-11-23T00:00:00Z') }).execute();
  }
  const texts = ['当时订单系统在大促时扛不住，我负责高并发架构的重构', '架构调整后峰值吞吐提升了 3 倍，延迟降了 60%', '我每周和产品、测试跨团队沟通进度', '周末我喜欢打篮球'];
  for (const [i, text] of texts.entries()) {
    const s = await api.http.post(`/api/interviews/${interviewId}/segments`).set(auth()).send({ startedMs: i * 5000, endedMs: i * 5000 + 4000, text }).expect(201);
    segmentIds.push(s.body.id);
  }
});
afterAll(async () => {
  await sim?.stop();
  await db?.drop();
});
beforeEach(() => {
  sim.llm.reset();
  drafterLogs.length = 0;
});

describe('scorecard drafts from the company model', () => {
  it('drafts from the model, citing only this interview’s segments, as proposals that are never submitted', async () => {
    const res = await draft();
    expect(res.body.drafter).toEqual({ name: 'model', dropped: { unknownSegment: 0, unknownCompetency: 0, noCitation: 0, forbiddenInference: 0, malformed: 0 } });
    expect(res.body.items.map((i: { competencyId: string; suggestedLevel: number; segmentIds: string[]; status: string }) => [i.competencyId, i.suggestedLevel, i.segmentIds, i.status])).toEqual([
      [competencies[0]!.id, 3, [segmentIds[0], segmentIds[1]], 'proposed'],
      [competencies[1]!.id, 1, [segmentIds[2]], 'proposed'],
    ]);
    expect(res.body.items[0].rationale).toMatch(/^模型草稿/);
    // The model read this interview's segments (as labels) and the rubric; one request with the key.
    expect(sim.llm.requests).toHaveLength(1);
    const payload = JSON.parse((sim.llm.requests[0]!.body as { messages: { content: string }[] }).messages[1]!.content) as { segments: { text: string }[]; competencies: { rubric: unknown[] }[] };
    expect(payload.segments.map((s) => s.text)[1]).toBe('架构调整后峰值吞吐提升了 3 倍，延迟降了 60%');
    expect(payload.competencies[0]!.rubric).toHaveLength(4);
    // Stored as proposals; nothing is submitted, no scorecard exists until the interviewer accepts an item.
    const rows = await sql<{ status: string; segment_ids: string[] }>`SELECT status, segment_ids FROM scorecard_draft_items WHERE interview_id = ${interviewId}`.execute(db.db);
    expect(rows.rows.map((r) => r.status)).toEqual(['proposed', 'proposed']);
    expect(rows.rows.flatMap((r) => r.segment_ids).every((id) => segmentIds.includes(id))).toBe(true);
    const cards = await sql<{ status: string }>`SELECT status FROM scorecards WHERE interview_id = ${interviewId}`.execute(db.db);
    expect(cards.rows).toEqual([]);
    const mine = await api.http.get(`/api/interviews/${interviewId}/my-scorecard`).set(auth()).expect(200);
    expect(mine.body.scorecard).toBeNull();
    expect(mine.body.draftItems.map((i: { rationale: string }) => i.rationale.slice(0, 4))).toEqual(['模型草稿', '模型草稿']);
  });

  it('drops an invented citation and a forbidden inference, and shows the counts', async () => {
    sim.llm.fail({ kind: 'invented_citation' });
    const invented = await draft();
    expect(invented.body.drafter).toMatchObject({ name: 'model', dropped: { unknownSegment: 1 } });
    expect(invented.body.items.map((i: { competencyId: string }) => i.competencyId)).toEqual([competencies[1]!.id]);
    sim.llm.fail({ kind: 'forbidden_inference' });
    const guarded = await draft();
    expect(guarded.body.drafter).toMatchObject({ name: 'model', dropped: { forbiddenInference: 1 } });
    expect(JSON.stringify(guarded.body.items)).not.toMatch(/紧张|性格|nervous/);
    const stored = await api.http.get(`/api/interviews/${interviewId}/my-scorecard`).set(auth()).expect(200);
    expect(JSON.stringify(stored.body.draftItems)).not.toMatch(/紧张|性格|nervous/);
  });

  it('drafts with the rules and says why when the model answers invalid JSON', async () => {
    sim.llm.fail({ kind: 'invalid_json' });
    const res = await draft();
    expect(res.body.drafter).toEqual({ name: 'rules', fallbackReason: 'invalid_json' });
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((i: { rationale: string; segmentIds: string[] }) => i.rationale.startsWith('证据覆盖 STAR') && i.segmentIds.every((id) => segmentIds.includes(id)))).toBe(true);
    expect(drafterLogs.join('\n')).toMatch(/"fallbackReason":"invalid_json"/);
    expect(drafterLogs.join('\n')).not.toContain('sk-sim-hirebridge');
  });

  it('lets the model reword the typed STAR probe while the rules decide what is missing', async () => {
    const res = await api.http.post(`/api/interviews/${interviewId}/prompts`).set(auth()).send({ answer: '当时项目很紧，我负责后端，我先拆分了服务' }).expect(200);
    expect(res.body).toMatchObject({ missing: ['result'], probe: '关于「当时项目很紧」：结果如何？能用数据说明吗？', probeSource: 'model' });
    sim.llm.fail({ kind: 'forbidden_inference' });
    const guarded = await api.http.post(`/api/interviews/${interviewId}/prompts`).set(auth()).send({ answer: '当时项目很紧，我负责后端，我先拆分了服务' }).expect(200);
    expect(guarded.body).toMatchObject({ missing: ['result'], probe: '结果如何？能用数据说明吗？', probeSource: 'rules' });
  });
});
