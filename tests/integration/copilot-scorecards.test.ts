import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * The interviewer copilot over HTTP on real PostgreSQL: the kit and masked brief, live notes (consent-gated segments,
 * corrections kept as versions, stars, question marks, typed notes), prompts, drafts citing segments, evidence-linked
 * scorecards submitted once and versioned after, independent scoring, the debrief with disagreements, and a decision
 * whose rejection queues a respectful candidate message.
 */
const clock = fixedClock('2026-11-24T01:00:00Z'); // 09:00 Beijing, an hour before the interview
const month = 30 * 86_400_000;
const phone = '13912345678';

let db: TestDatabase;
let api: TestApp;
let t: TenantFixture;
const tok: Record<string, string> = {};
let interviewId: string;
let applicationId: string;
let candidateId: string;
let competencies: { id: string; name: string; questions: { id: string }[] }[];
const auth = (who: string) => ({ authorization: `Bearer ${tok[who]}` });

beforeAll(async () => {
  db = await createTestDatabase();
  api = createTestApp(db, { clock });
  t = await createTenant(db.db);
  tok.hr = await signIn(db.db, t, t.employees.hr.id, month);
  tok.admin = await signIn(db.db, t, t.employees.admin.id, month);
  tok.lead = await signIn(db.db, t, t.employees.interviewer.id, month);
  tok.second = await signIn(db.db, t, t.employees.manager.id, month);
  const outsider = await db.db.insertInto('employees').values({ tenant_id: t.tenantId, department_id: t.departmentId, name: '局外人', platform_user_id: `out-${Date.now()}`, roles: ['interviewer'] }).returning('id').executeTakeFirstOrThrow();
  tok.outsider = await signIn(db.db, t, outsider.id, month);

  const job = await api.http.post('/api/jobs').set(auth('admin')).send({ title: '后端工程师', departmentId: t.departmentId, rounds: [{ name: '技术面', durationMinutes: 60 }] }).expect(201);
  const levels = [1, 2, 3, 4].map((level) => ({ level, label: `L${level}`, description: `等级 ${level} 的行为描述` }));
  await api.http.put(`/api/jobs/${job.body.id}/competency-model`).set(auth('admin')).send({
    note: '',
    competencies: [
      { name: '系统设计', description: '高并发系统的架构与性能优化', weight: 60, rubric: levels, questions: [{ text: '讲一个你设计的高并发系统。', followUps: ['瓶颈在哪里？'] }] },
      { name: '协作沟通', description: '跨团队推动与沟通', weight: 40, rubric: levels, questions: [{ text: '说说一次跨团队推动项目的经历。', followUps: ['对方反对时你怎么做？'] }] },
    ],
  }).expect((r) => expect(r.status).toBeLessThan(300));
  await api.http.post(`/api/jobs/${job.body.id}/status`).set(auth('admin')).send({ status: 'open' }).expect(200);
  const candidate = await api.http.post('/api/candidates').set(auth('hr')).send({
    name: '林晓雨', phone, resumeText: '2019-2023 某电商：负责高并发订单系统架构设计，性能提升 3 倍\n联系电话 13912345678\n爱好：篮球',
  }).expect(201);
  candidateId = candidate.body.id;
  const application = await api.http.post('/api/applications').set(auth('hr')).send({ candidateId, jobId: job.body.id }).expect(201);
  applicationId = application.body.id;
  await db.db.updateTable('applications').set({ stage: 'interviewing' }).where('id', '=', applicationId).execute();
  const model = await db.db.selectFrom('competency_models').select('id').where('job_id', '=', job.body.id).executeTakeFirstOrThrow();
  const round = await db.db.selectFrom('interview_rounds').select('id').where('job_id', '=', job.body.id).executeTakeFirstOrThrow();
  const rows = await db.db.selectFrom('competencies').select(['id', 'name']).where('model_id', '=', model.id).orderBy('position').execute();
  competencies = [];
  for (const c of rows) competencies.push({ ...c, questions: await db.db.selectFrom('questions').select('id').where('competency_id', '=', c.id).execute() });
  const interview = await db.db.insertInto('interviews').values({
    tenant_id: t.tenantId, application_id: applicationId, round_id: round.id, competency_model_id: model.id, status: 'confirmed',
    starts_at: new Date('2026-11-24T02:00:00Z'), ends_at: new Date('2026-11-24T03:00:00Z'), location: '星河大厦 12 层', schedule_version: 1,
  }).returning('id').executeTakeFirstOrThrow();
  interviewId = interview.id;
  await db.db.insertInto('interview_panelists').values([
    { tenant_id: t.tenantId, interview_id: interviewId, employee_id: t.employees.interviewer.id, role: 'lead', focus_competency_ids: [competencies[0]!.id] },
    { tenant_id: t.tenantId, interview_id: interviewId, employee_id: t.employees.manager.id, role: 'member', focus_competency_ids: [competencies[0]!.id] },
  ]).execute();
});
afterAll(async () => {
  await db?.drop();
});

describe('before the interview', () => {
  it('lists today’s interview for a panelist and nothing for someone else', async () => {
    const mine = await api.http.get('/api/interviewer/interviews').set(auth('lead')).expect(200);
    expect(mine.body.items).toMatchObject([{ id: interviewId, today: true, myRole: 'lead', scorecardStatus: 'none', candidateName: '林晓雨' }]);
    expect((await api.http.get('/api/interviewer/interviews').set(auth('outsider')).expect(200)).body.items).toEqual([]);
  });

  it('gives the kit with rubric, questions and this interviewer’s focus; typed notes only without consent', async () => {
    const kit = await api.http.get(`/api/interviews/${interviewId}/kit`).set(auth('lead')).expect(200);
    expect(kit.body.focusCompetencyIds).toEqual([competencies[0]!.id]);
    expect(kit.body.competencies.map((c: { name: string; focus: boolean }) => [c.name, c.focus])).toEqual([['系统设计', true], ['协作沟通', false]]);
    expect(kit.body.competencies[0].rubric).toHaveLength(4);
    expect(kit.body.notesMode).toBe('typed_only');
    expect(kit.body.notesModeReason).toContain('同意');
  });

  it('briefs without contact data, with résumé lines matched to competencies', async () => {
    const brief = await api.http.get(`/api/interviews/${interviewId}/brief`).set(auth('lead')).expect(200);
    const text = JSON.stringify(brief.body);
    expect(text).not.toContain(phone);
    expect(text).not.toContain('139****5678');
    expect(brief.body.highlights[0]).toMatchObject({ competency: '系统设计' });
    expect(brief.body.highlights[0].excerpt).toContain('高并发订单系统');
  });

  it('answers 404 to an interviewer not on the panel, on every copilot route', async () => {
    for (const path of ['kit', 'brief', 'notes', 'my-scorecard', 'debrief']) {
      await api.http.get(`/api/interviews/${interviewId}/${path}`).set(auth('outsider')).expect(404);
    }
    await api.http.post(`/api/interviews/${interviewId}/typed-notes`).set(auth('outsider')).send({ text: '偷看' }).expect(404);
    await api.http.post(`/api/interviews/${interviewId}/prompts`).set(auth('outsider')).send({ answer: '我负责' }).expect(404);
  });
});

describe('live notes and prompts', () => {
  let segmentIds: string[] = [];

  it('refuses transcript segments without transcription consent, but takes typed notes', async () => {
    const refused = await api.http.post(`/api/interviews/${interviewId}/segments`).set(auth('lead')).send({ startedMs: 0, endedMs: 1000, text: '你好' }).expect(409);
    expect(refused.body.code).toBe('CONSENT_REQUIRED');
    await api.http.post(`/api/interviews/${interviewId}/typed-notes`).set(auth('lead')).send({ text: '候选人讲了订单系统重构', atMs: 5000 }).expect(201);
  });

  it('stores segments once consent exists, keeps corrections as versions, stars and tags them', async () => {
    await db.db.insertInto('consents').values({ tenant_id: t.tenantId, candidate_id: candidateId, purpose: 'transcription', notice_version: '2026-11', channel: 'miniapp', given_at: new Date('2026-11-23T00:00:00Z') }).execute();
    // Transcription alone does not open live notes: the phone's audio only goes to the server with recording consent.
    const typedOnly = await api.http.get(`/api/interviews/${interviewId}/kit`).set(auth('lead')).expect(200);
    expect(typedOnly.body).toMatchObject({ notesMode: 'typed_only', notesModeReason: expect.stringContaining('录音') });
    await db.db.insertInto('consents').values({ tenant_id: t.tenantId, candidate_id: candidateId, purpose: 'interview_recording', notice_version: '2026-11', channel: 'miniapp', given_at: new Date('2026-11-23T00:00:00Z') }).execute();
    expect((await api.http.get(`/api/interviews/${interviewId}/kit`).set(auth('lead')).expect(200)).body.notesMode).toBe('live');
    clock.set('2026-11-24T02:05:00Z');
    const q0 = competencies[0]!.questions[0]!.id;
    await api.http.post(`/api/interviews/${interviewId}/question-marks`).set(auth('lead')).send({ questionId: q0, atMs: 0 }).expect(201);
    const texts = ['当时公司订单系统在大促时超时', '我负责架构改造，我先分析瓶颈然后拆分服务', '最终延迟降低了百分之六十，QPS 提升 3 倍'];
    segmentIds = [];
    for (const [i, text] of texts.entries()) {
      const s = await api.http.post(`/api/interviews/${interviewId}/segments`).set(auth('lead')).send({ startedMs: i * 5000, endedMs: i * 5000 + 4000, text }).expect(201);
      expect(s.body).toMatchObject({ seq: i, text, source: 'asr', speaker: 'unknown', version: 1 });
      segmentIds.push(s.body.id);
    }
    const corrected = await api.http.post(`/api/interviews/${interviewId}/segments/${segmentIds[2]}/corrections`).set(auth('lead')).send({ text: '最终延迟降低了百分之六十，QPS 提升了 3 倍' }).expect(200);
    expect(corrected.body).toMatchObject({ version: 2, text: '最终延迟降低了百分之六十，QPS 提升了 3 倍', originalText: texts[2] });
    await api.http.post(`/api/interviews/${interviewId}/segments/${segmentIds[2]}/corrections`).set(auth('second')).send({ text: '最终延迟降低了 60%，QPS 提升了 3 倍' }).expect(200);
    const history = await api.http.get(`/api/interviews/${interviewId}/segments/${segmentIds[2]}/corrections`).set(auth('lead')).expect(200);
    expect(history.body.items.map((c: { version: number; previousText: string }) => [c.version, c.previousText])).toEqual([[2, texts[2]], [3, '最终延迟降低了百分之六十，QPS 提升了 3 倍']]);
    // The stored words never change in place: the database refuses it.
    await expect(db.db.updateTable('transcript_segments').set({ text: '改写' }).where('id', '=', segmentIds[2]!).execute()).rejects.toThrow(/keeps its words/);
    const starred = await api.http.patch(`/api/interviews/${interviewId}/segments/${segmentIds[2]}`).set(auth('lead')).send({ starred: true }).expect(200);
    expect(starred.body.starred).toBe(true);
    const badTag = await api.http.patch(`/api/interviews/${interviewId}/segments/${segmentIds[0]}`).set(auth('lead')).send({ questionId: '00000000-0000-4000-8000-000000000000' }).expect(400);
    expect(badTag.body.issues[0].message).toMatch(/^QUESTION_NOT_IN_KIT/);

    const notes = await api.http.get(`/api/interviews/${interviewId}/notes`).set(auth('lead')).expect(200);
    expect(notes.body.segments.map((s: { text: string }) => s.text)[2]).toBe('最终延迟降低了 60%，QPS 提升了 3 倍');
    expect(notes.body.notes).toHaveLength(1);
    expect(notes.body.coverage.map((c: { name: string; covered: boolean }) => [c.name, c.covered])).toEqual([['系统设计', true], ['协作沟通', false]]);
  });

  it('prompts for a missing result with the data probe, and finds figures', async () => {
    const p = await api.http.post(`/api/interviews/${interviewId}/prompts`).set(auth('lead')).send({ answer: '当时项目很紧，我负责后端，我先拆分了服务' }).expect(200);
    expect(p.body.missing).toEqual(['result']);
    expect(p.body.probe).toBe('结果如何？能用数据说明吗？');
    const q = await api.http.post(`/api/interviews/${interviewId}/prompts`).set(auth('lead')).send({ answer: '最后成本节省了 200万元，效率提升 30%', questionId: competencies[1]!.questions[0]!.id }).expect(200);
    expect(q.body.quantified.map((x: { kind: string }) => x.kind)).toEqual(['amount', 'percent']);
    expect(q.body.followUps).toEqual([{ questionId: competencies[1]!.questions[0]!.id, text: '对方反对时你怎么做？' }]);
  });

  describe('scorecards', () => {
    it('is closed before the interview starts', async () => {
      clock.set('2026-11-24T01:30:00Z');
      const early = await api.http.put(`/api/interviews/${interviewId}/my-scorecard`).set(auth('lead')).send({ ratings: [] }).expect(409);
      expect(early.body.code).toBe('INVALID_TRANSITION');
      clock.set('2026-11-24T03:10:00Z');
    });

    it('drafts per competency citing segments; accepting writes a draft rating, never a submission', async () => {
      const draft = await api.http.post(`/api/interviews/${interviewId}/my-scorecard/draft`).set(auth('lead')).expect(200);
      expect(draft.body.items).toHaveLength(1);
      const item = draft.body.items[0];
      expect(item.competencyId).toBe(competencies[0]!.id);
      expect(item.segmentIds.length).toBeGreaterThan(0);
      expect(item.segmentIds.every((id: string) => segmentIds.includes(id))).toBe(true);
      expect(item.suggestedLevel).toBe(4);
      const accepted = await api.http.post(`/api/interviews/${interviewId}/my-scorecard/draft/${item.id}`).set(auth('lead')).send({ action: 'edit', level: 3 }).expect(200);
      expect(accepted.body.status).toBe('edited');
      const mine = await api.http.get(`/api/interviews/${interviewId}/my-scorecard`).set(auth('lead')).expect(200);
      expect(mine.body.scorecard).toMatchObject({ status: 'draft', submittedAt: null, ratings: [{ competencyId: competencies[0]!.id, level: 3, evidenceSegmentIds: item.segmentIds }] });
      expect(mine.body.requiredCompetencyIds).toEqual([competencies[0]!.id]);
      await api.http.post(`/api/interviews/${interviewId}/my-scorecard/draft/${item.id}`).set(auth('lead')).send({ action: 'accept' }).expect(404);
    });

    it('validates a submission with stable codes', async () => {
      const noEvidence = await api.http.post(`/api/interviews/${interviewId}/my-scorecard/submit`).set(auth('lead'))
        .send({ recommendation: 'yes', ratings: [{ competencyId: competencies[0]!.id, level: 3 }] }).expect(400);
      expect(noEvidence.body.issues.map((i: { message: string }) => i.message.split(':')[0])).toEqual(['EVIDENCE_REQUIRED']);
      const missing = await api.http.post(`/api/interviews/${interviewId}/my-scorecard/submit`).set(auth('lead'))
        .send({ recommendation: 'yes', ratings: [{ competencyId: competencies[1]!.id, level: 3, note: '沟通清楚' }] }).expect(400);
      expect(missing.body.issues.map((i: { message: string }) => i.message.split(':')[0])).toEqual(['RATING_MISSING']);
      const noShowOnly = await api.http.post(`/api/interviews/${interviewId}/my-scorecard/submit`).set(auth('lead'))
        .send({ recommendation: 'no_decision', ratings: [] }).expect(400);
      expect(noShowOnly.body.issues.map((i: { message: string }) => i.message.split(':')[0])).toContain('NO_DECISION_ONLY_FOR_NO_SHOW');
      const noRec = await api.http.post(`/api/interviews/${interviewId}/my-scorecard/submit`).set(auth('lead'))
        .send({ ratings: [{ competencyId: competencies[0]!.id, level: 3, evidenceSegmentIds: [segmentIds[0]] }] }).expect(400);
      expect(noRec.body.issues.map((i: { message: string }) => i.message.split(':')[0])).toEqual(['RECOMMENDATION_REQUIRED']);
      // Evidence from another interview (or made up) is refused by the database.
      const foreign = await api.http.put(`/api/interviews/${interviewId}/my-scorecard`).set(auth('lead'))
        .send({ ratings: [{ competencyId: competencies[0]!.id, level: 3, evidenceSegmentIds: ['00000000-0000-4000-8000-000000000000'] }] });
      expect(foreign.status).toBe(404);
    });

    it('keeps the others hidden until one’s own is submitted, submits once, versions later edits', async () => {
      const noteId = (await api.http.get(`/api/interviews/${interviewId}/notes`).set(auth('lead')).expect(200)).body.notes[0].id;
      const submitted = await api.http.post(`/api/interviews/${interviewId}/my-scorecard/submit`).set(auth('lead')).send({
        recommendation: 'strong_yes', summary: '架构能力强',
        ratings: [
          { competencyId: competencies[0]!.id, level: 4, evidenceSegmentIds: [segmentIds[1], segmentIds[2]] },
          { competencyId: competencies[1]!.id, level: 2, evidenceNoteIds: [noteId] },
        ],
      }).expect(200);
      expect(submitted.body).toMatchObject({ status: 'submitted', version: 1 });
      await api.http.post(`/api/interviews/${interviewId}/my-scorecard/submit`).set(auth('lead')).send({ recommendation: 'yes', ratings: [{ competencyId: competencies[0]!.id, level: 3, note: '再交一次' }] }).expect(409);

      // The second panelist (a hiring manager in scope, too) has not submitted: the debrief is closed to them.
      const hidden = await api.http.get(`/api/interviews/${interviewId}/debrief`).set(auth('second')).expect(403);
      expect(hidden.body.code).toBe('FORBIDDEN');
      await api.http.post(`/api/interviews/${interviewId}/my-scorecard/submit`).set(auth('second')).send({
        recommendation: 'no', ratings: [{ competencyId: competencies[0]!.id, level: 2, evidenceSegmentIds: [segmentIds[0]], note: '细节不足' }],
      }).expect(200);
      const open = await api.http.get(`/api/interviews/${interviewId}/debrief`).set(auth('second')).expect(200);
      expect(open.body.panel.map((p: { status: string }) => p.status)).toEqual(['submitted', 'submitted']);

      const edited = await api.http.put(`/api/interviews/${interviewId}/my-scorecard`).set(auth('lead')).send({
        recommendation: 'yes', summary: '复核后下调',
        ratings: [
          { competencyId: competencies[0]!.id, level: 4, evidenceSegmentIds: [segmentIds[1], segmentIds[2]] },
          { competencyId: competencies[1]!.id, level: 2, evidenceNoteIds: [noteId] },
        ],
      }).expect(200);
      expect(edited.body).toMatchObject({ status: 'submitted', version: 2, recommendation: 'yes', submittedAt: submitted.body.submittedAt });
      const revisions = await db.db.selectFrom('scorecard_revisions' as never).select(['version' as never]).where('scorecard_id' as never, '=', submitted.body.id as never).orderBy('version' as never).execute();
      expect(revisions).toEqual([{ version: 1 }, { version: 2 }]);
    });

    it('summarises the debrief with disagreements (≥ 2 levels) and the cited evidence', async () => {
      const d = await api.http.get(`/api/interviews/${interviewId}/debrief`).set(auth('hr')).expect(200);
      const design = d.body.competencies.find((c: { name: string }) => c.name === '系统设计');
      expect(design.ratings.map((r: { level: number }) => r.level).sort()).toEqual([2, 4]);
      expect(design).toMatchObject({ spread: 2, disagreement: true });
      expect(d.body.competencies.find((c: { name: string }) => c.name === '协作沟通')).toMatchObject({ disagreement: false });
      expect(d.body.evidence.map((e: { id: string }) => e.id).sort()).toEqual([...segmentIds].sort());
    });

    it('records a named decision with a reason; a rejection closes the application and queues a respectful message', async () => {
      const denied = await api.http.post(`/api/interviews/${interviewId}/debrief/decision`).set(auth('lead')).send({ decision: 'reject', reason: '不合适' });
      expect([403, 404]).toContain(denied.status);
      const decision = await api.http.post(`/api/interviews/${interviewId}/debrief/decision`).set(auth('hr')).send({ decision: 'reject', reason: '系统设计深度与岗位要求有差距' }).expect(201);
      expect(decision.body).toMatchObject({ decision: 'reject', decidedBy: t.employees.hr.id, decidedByName: '招聘专员', reason: '系统设计深度与岗位要求有差距' });
      const app = await db.db.selectFrom('applications').select('stage').where('id', '=', applicationId).executeTakeFirstOrThrow();
      expect(app.stage).toBe('rejected');
      const message = await db.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', `debrief:${applicationId}:rejected`).executeTakeFirstOrThrow();
      expect(message.channel).toBe('candidate_message');
      const text = JSON.stringify(message.payload);
      expect(text).toContain('感谢您');
      expect(text).not.toContain('差距');
      const again = await api.http.post(`/api/interviews/${interviewId}/debrief/decision`).set(auth('hr')).send({ decision: 'reject', reason: '重复' }).expect(409);
      expect(again.body.code).toBe('INVALID_TRANSITION');
      expect((await api.http.get(`/api/interviews/${interviewId}/debrief`).set(auth('hr')).expect(200)).body.decisions).toHaveLength(1);
    });
  });
});

describe('database invariants', () => {
  it('refuses no_decision unless the interview is a no-show, and a second scorecard per panelist', async () => {
    await expect(
      db.db.updateTable('interviews').set({ status: 'confirmed' }).where('id', '=', interviewId).execute(),
    ).resolves.toBeDefined();
    const { sql } = await import('kysely');
    await expect(sql`UPDATE scorecards SET recommendation = 'no_decision', version = version + 1 WHERE interview_id = ${interviewId} AND interviewer_id = ${t.employees.interviewer.id}`.execute(db.db)).rejects.toThrow(/no-show/);
    await expect(sql`UPDATE scorecards SET status = 'draft' WHERE interview_id = ${interviewId} AND interviewer_id = ${t.employees.interviewer.id}`.execute(db.db)).rejects.toThrow(/submitted/);
    await expect(sql`INSERT INTO scorecards (tenant_id, interview_id, interviewer_id) VALUES (${t.tenantId}, ${interviewId}, ${t.employees.interviewer.id})`.execute(db.db)).rejects.toThrow(/duplicate key/);
    await expect(sql`INSERT INTO debrief_decisions (tenant_id, application_id, decision, reason, decided_by) VALUES (${t.tenantId}, ${applicationId}, 'hold', ' ', ${t.employees.hr.id})`.execute(db.db)).rejects.toThrow(/check constraint/);
    await expect(sql`UPDATE scorecards SET summary = '改', version = version + 2 WHERE interview_id = ${interviewId} AND interviewer_id = ${t.employees.interviewer.id}`.execute(db.db)).rejects.toThrow(/new version/);
    await db.db.updateTable('interviews').set({ status: 'no_show' }).where('id', '=', interviewId).execute();
    await sql`UPDATE scorecards SET recommendation = 'no_decision', version = version + 1 WHERE interview_id = ${interviewId} AND interviewer_id = ${t.employees.interviewer.id}`.execute(db.db);
    await db.db.updateTable('interviews').set({ status: 'completed' }).where('id', '=', interviewId).execute();
  });

  it('stops taking transcript the moment consent is withdrawn; typed notes still work', async () => {
    await db.db.updateTable('consents').set({ withdrawn_at: new Date('2026-11-24T03:20:00Z') }).where('candidate_id', '=', candidateId).where('purpose', '=', 'transcription').execute();
    const refused = await api.http.post(`/api/interviews/${interviewId}/segments`).set(auth('lead')).send({ startedMs: 90_000, endedMs: 91_000, text: '撤回后' }).expect(409);
    expect(refused.body.code).toBe('CONSENT_REQUIRED');
    expect((await api.http.get(`/api/interviews/${interviewId}/kit`).set(auth('lead')).expect(200)).body.notesMode).toBe('typed_only');
    await api.http.post(`/api/interviews/${interviewId}/typed-notes`).set(auth('lead')).send({ text: '撤回后手写' }).expect(201);
  });
});
