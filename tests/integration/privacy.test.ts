import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStores } from '../../server/src/adapters/postgres/stores';
import { FieldCipher } from '../../server/src/domain/field-cipher';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * The privacy core on real PostgreSQL: personal data encrypted at rest with rotating keys and found without
 * plaintext; consent gating audio and transcripts in the database itself; data-subject requests from the candidate's
 * request to HR's resolution, with the copy, the anonymisation and the audit trail.
 */
const clock = fixedClock('2026-11-23T03:00:00Z');
const month = 30 * 86_400_000;
const phone = '13912345678';

let db: TestDatabase;
let api: TestApp;
let acme: TenantFixture;
let hr: string;
let jobId: string;
let modelId: string;
let roundId: string;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function candidateSession(candidateId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.db
    .insertInto('sessions')
    .values({ token_hash: createHash('sha256').update(token).digest(), tenant_id: acme.tenantId, candidate_id: candidateId, method: 'wechat_miniapp', expires_at: new Date(Date.now() + month), last_seen_at: new Date(Date.now() + month) })
    .execute();
  return token;
}

async function newCandidate(body: object = {}): Promise<{ id: string; interviewId: string }> {
  const candidate = await api.http.post('/api/candidates').set(auth(hr)).send({ name: '林晓雨', phone, email: 'xiaoyu@example.com', idNumber: '110105194912310021', resumeText: '电话 13912345678，邮箱 xiaoyu@example.com', ...body }).expect(201);
  const application = await api.http.post('/api/applications').set(auth(hr)).send({ candidateId: candidate.body.id, jobId }).expect(201);
  const interview = await db.db
    .insertInto('interviews')
    .values({ tenant_id: acme.tenantId, application_id: application.body.id, round_id: roundId, competency_model_id: modelId, status: 'scheduled', starts_at: new Date('2026-11-24T02:00:00Z'), ends_at: new Date('2026-11-24T03:00:00Z'), schedule_version: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: candidate.body.id, interviewId: interview.id };
}

beforeAll(async () => {
  db = await createTestDatabase();
  api = createTestApp(db, { clock });
  acme = await createTenant(db.db);
  hr = await signIn(db.db, acme, acme.employees.admin.id, month);
  const job = await api.http.post('/api/jobs').set(auth(hr)).send({ title: '后端工程师', departmentId: acme.departmentId, rounds: [{ name: '技术面', durationMinutes: 60 }] }).expect(201);
  jobId = job.body.id;
  modelId = (await api.http.put(`/api/jobs/${jobId}/competency-model`).set(auth(hr)).send(competencyModelInput()).expect(201)).body.id;
  await api.http.post(`/api/jobs/${jobId}/status`).set(auth(hr)).send({ status: 'open' }).expect(200);
  roundId = (await db.db.selectFrom('interview_rounds').select('id').where('job_id', '=', jobId).executeTakeFirstOrThrow()).id;
});
afterAll(async () => {
  await db?.drop();
});

describe('field encryption', () => {
  it('stores phone, e-mail, ID number and résumé only as ciphertext with masks, and finds by phone without the plaintext', async () => {
    const { id } = await newCandidate();
    const row = await db.db.selectFrom('candidates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ phone: null, email: null, resume_text: '', phone_masked: '139****5678', email_masked: 'x***@example.com', id_number_masked: '110***********0021', phone_tail: '5678' });
    for (const column of ['phone_enc', 'email_enc', 'id_number_enc', 'resume_enc'] as const) expect(row[column]).toMatch(/^v1\.demo\./);
    expect(JSON.stringify(row)).not.toMatch(/13912345678|xiaoyu@|110105194912310021/);
    const byNumber = await api.http.get('/api/candidates').set(auth(hr)).query({ q: '139-1234-5678' }).expect(200);
    expect(byNumber.body.items.map((c: { id: string }) => c.id)).toContain(id);
    const byTail = await api.http.get('/api/candidates').set(auth(hr)).query({ q: '5678' }).expect(200);
    expect(byTail.body.items.map((c: { id: string }) => c.id)).toContain(id);
    expect((await api.http.get('/api/candidates').set(auth(hr)).query({ q: '13900000000' }).expect(200)).body.items).toHaveLength(0);
  });

  it('encrypts values an earlier version stored in clear, and reads old keys after a rotation', async () => {
    const legacy = await db.db.insertInto('candidates').values({ tenant_id: acme.tenantId, name: '老数据', phone: '13800001111', email: 'old@example.com', resume_text: '旧简历' }).returning('id').executeTakeFirstOrThrow();
    const k1 = new FieldCipher([{ id: 'k1', key: randomBytes(32) }], randomBytes(32));
    const stores = postgresStores(db.db, k1);
    expect(await stores.candidates.encryptLegacyPlaintext(100)).toBeGreaterThanOrEqual(1);
    const row = await db.db.selectFrom('candidates').selectAll().where('id', '=', legacy.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ phone: null, email: null, resume_text: '', phone_masked: '138****1111' });
    expect(row.phone_enc).toMatch(/^v1\.k1\./);
    // Rotation: k2 encrypts from now on, k1 still decrypts.
    const k2 = new FieldCipher([{ id: 'k2', key: randomBytes(32) }, { id: 'k1', key: (k1 as unknown as { keys: Map<string, Buffer> }).keys.get('k1')! }], randomBytes(32));
    const rotated = postgresStores(db.db, k2);
    expect(await rotated.candidates.revealCandidate(acme.tenantId, legacy.id, ['phone', 'email', 'resumeText'])).toEqual({ phone: '13800001111', email: 'old@example.com', resumeText: '旧简历' });
    await rotated.candidates.updateCandidate(acme.tenantId, legacy.id, { phone: '13800002222' }, clock.now());
    const after = await db.db.selectFrom('candidates').select(['phone_enc', 'email_enc']).where('id', '=', legacy.id).executeTakeFirstOrThrow();
    expect(after.phone_enc).toMatch(/^v1\.k2\./);
    expect(after.email_enc).toMatch(/^v1\.k1\./);
    // A value moved into another row does not decrypt.
    const other = await newCandidate({ name: '别人' });
    await db.db.updateTable('candidates').set({ email_enc: after.email_enc }).where('id', '=', other.id).execute();
    await expect(rotated.candidates.revealCandidate(acme.tenantId, other.id, ['email'])).rejects.toThrow();
  });

  it('masks for hiring managers and refuses them the reveal; HR reveals with a reason and the read is audited', async () => {
    const { id } = await newCandidate();
    const manager = await signIn(db.db, acme, acme.employees.manager.id, month);
    await db.db.updateTable('jobs').set({ hiring_manager_id: acme.employees.manager.id }).where('id', '=', jobId).execute();
    const seen = await api.http.get(`/api/candidates/${id}`).set(auth(manager)).expect(200);
    expect(seen.body).toMatchObject({ phoneMasked: '139****5678', idNumberMasked: '110***********0021' });
    expect(JSON.stringify(seen.body)).not.toContain(phone);
    expect((await api.http.post(`/api/candidates/${id}/reveal`).set(auth(manager)).send({ fields: ['phone'], reason: '想打电话' }).expect(403)).body.code).toBe('FORBIDDEN');
    await api.http.post(`/api/candidates/${id}/reveal`).set(auth(hr)).send({ fields: ['phone'] }).expect(400);
    const revealed = await api.http.post(`/api/candidates/${id}/reveal`).set(auth(hr)).set('X-Request-Id', 'privacy-reveal-01').send({ fields: ['idNumber', 'resumeText'], reason: '核对入职材料' }).expect(200);
    expect(revealed.body).toEqual({ id, idNumber: '110105194912310021', resumeText: '电话 13912345678，邮箱 xiaoyu@example.com' });
    const audit = await db.db.selectFrom('audit_events').selectAll().where('request_id', '=', 'privacy-reveal-01').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ action: 'candidate.reveal', object_id: id, reason: '核对入职材料', details: { fields: ['idNumber', 'resumeText'] } });
  });
});

describe('consent', () => {
  const segment = (interviewId: string, seq: number) =>
    sql`insert into transcript_segments (tenant_id, interview_id, seq, started_ms, ended_ms, text) values (${acme.tenantId}, ${interviewId}, ${seq}, 0, 1000, '你好')`.execute(db.db);
  const audio = (interviewId: string, seq: number) =>
    sql`insert into interview_audio (tenant_id, interview_id, seq, bytes) values (${acme.tenantId}, ${interviewId}, ${seq}, '\\x0000'::bytea)`.execute(db.db);

  it('keeps audio and transcripts out of the database until the candidate gives that separate consent, and again after withdrawal', async () => {
    const { id, interviewId } = await newCandidate();
    const candidate = await candidateSession(id);
    await expect(audio(interviewId, 0)).rejects.toMatchObject({ code: 'HB010' });
    await expect(segment(interviewId, 0)).rejects.toMatchObject({ code: 'HB010' });

    const given = await api.http.post('/api/candidate/consents').set(auth(candidate)).send({ purpose: 'transcription', noticeVersion: '2026-11' }).expect(201);
    expect(given.body).toMatchObject({ purpose: 'transcription', noticeVersion: '2026-11', channel: 'miniapp', withdrawnAt: null });
    await segment(interviewId, 0);
    // Transcription consent is not recording consent.
    await expect(audio(interviewId, 0)).rejects.toMatchObject({ code: 'HB010' });
    await api.http.post('/api/candidate/consents').set(auth(candidate)).send({ purpose: 'interview_recording', noticeVersion: '2026-11' }).expect(201);
    await audio(interviewId, 0);

    const withdrawn = await api.http.post('/api/candidate/consents/transcription/withdraw').set(auth(candidate)).expect(200);
    expect(withdrawn.body.items.find((c: { purpose: string }) => c.purpose === 'transcription').withdrawnAt).not.toBeNull();
    await expect(segment(interviewId, 1)).rejects.toMatchObject({ code: 'HB010' });
    await audio(interviewId, 1);
    await api.http.post('/api/candidate/consents/transcription/withdraw').set(auth(candidate)).expect(404);
    // The record of consent is evidence: never rewritten or deleted.
    await expect(sql`update consents set notice_version = 'x' where candidate_id = ${id}`.execute(db.db)).rejects.toMatchObject({ code: 'HB001' });
    await expect(sql`delete from consents where candidate_id = ${id}`.execute(db.db)).rejects.toMatchObject({ code: 'HB001' });
    const hrView = await api.http.get(`/api/candidates/${id}/consents`).set(auth(hr)).expect(200);
    expect(hrView.body.items.map((c: { purpose: string }) => c.purpose).sort()).toEqual(['interview_recording', 'transcription']);
  });

  it('joins and leaves the talent pool with the consent', async () => {
    const { id } = await newCandidate();
    const candidate = await candidateSession(id);
    await api.http.post('/api/candidate/consents').set(auth(candidate)).send({ purpose: 'talent_pool', noticeVersion: '2026-11' }).expect(201);
    expect((await api.http.get(`/api/candidates/${id}`).set(auth(hr)).expect(200)).body.talentPool).toBe(true);
    await api.http.post('/api/candidate/consents/talent_pool/withdraw').set(auth(candidate)).expect(200);
    expect((await api.http.get(`/api/candidates/${id}`).set(auth(hr)).expect(200)).body.talentPool).toBe(false);
  });
});

describe('data-subject requests', () => {
  it('access: the candidate asks, HR sees the deadline and completes it, the candidate downloads the copy; both steps audited', async () => {
    const { id } = await newCandidate();
    const candidate = await candidateSession(id);
    const created = await api.http.post('/api/candidate/data-requests').set(auth(candidate)).send({ kind: 'access', details: '请给我一份我的数据' }).expect(201);
    expect(created.body).toMatchObject({ kind: 'access', status: 'open', overdue: false, dueAt: '2026-12-08T03:00:00.000Z', hasExport: false });
    await api.http.get(`/api/candidate/data-requests/${created.body.id}/export`).set(auth(candidate)).expect(409);

    clock.advance(16 * 86_400_000);
    const list = await api.http.get('/api/data-requests').set(auth(hr)).query({ status: 'open' }).expect(200);
    expect(list.body.items.find((r: { id: string }) => r.id === created.body.id)).toMatchObject({ overdue: true, candidateName: '林晓雨' });

    const resolved = await api.http.post(`/api/data-requests/${created.body.id}/resolve`).set(auth(hr)).send({ outcome: 'completed', resolution: '已生成副本' }).expect(200);
    expect(resolved.body).toMatchObject({ status: 'completed', hasExport: true, overdue: false });
    await api.http.post(`/api/data-requests/${created.body.id}/resolve`).set(auth(hr)).send({ outcome: 'completed', resolution: '再来一次' }).expect(409);

    const copy = await api.http.get(`/api/candidate/data-requests/${created.body.id}/export`).set(auth(candidate)).expect(200);
    expect(copy.body.summary).toMatch(/^您的个人信息副本/);
    expect(copy.body.summary).toContain(phone);
    expect(copy.body.data).toMatchObject({ personal: { phone, email: 'xiaoyu@example.com', idNumber: '110105194912310021' }, candidate: { name: '林晓雨' } });
    expect((copy.body.data as { applications: unknown[] }).applications).toHaveLength(1);
    const actions = (await db.db.selectFrom('audit_events').select('action').where('tenant_id', '=', acme.tenantId).where('object_id', 'in', [id, created.body.id]).execute()).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['data_request.create', 'candidate.export', 'data_request.completed', 'data_request.download']));
  });

  it('deletion: completing it anonymises the candidate at once and ends their sessions; statistics keep the application', async () => {
    const { id } = await newCandidate();
    const candidate = await candidateSession(id);
    const created = await api.http.post('/api/candidate/data-requests').set(auth(candidate)).send({ kind: 'deletion' }).expect(201);
    await api.http.post(`/api/data-requests/${created.body.id}/resolve`).set(auth(hr)).send({ outcome: 'completed', resolution: '已删除个人信息' }).expect(200);
    const row = await db.db.selectFrom('candidates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: '已匿名候选人', phone_enc: null, email_enc: null, id_number_enc: null, resume_enc: null, phone_masked: null, phone_tail: null });
    expect(row.anonymised_at).not.toBeNull();
    await api.http.get('/api/candidate/me').set(auth(candidate)).expect(401);
    expect(await db.db.selectFrom('applications').select('id').where('candidate_id', '=', id).execute()).toHaveLength(1);
    const record = await sql<{ reason: string }>`select reason from deletion_records where object_id = ${id}`.execute(db.db);
    expect(record.rows.map((r) => r.reason)).toEqual(['data_request']);
  });

  it('rejection needs a reason, and a candidate sees only their own requests', async () => {
    const a = await newCandidate();
    const b = await newCandidate({ name: '另一位' });
    const tokenA = await candidateSession(a.id);
    const tokenB = await candidateSession(b.id);
    const request = await api.http.post('/api/candidate/data-requests').set(auth(tokenA)).send({ kind: 'correction', details: '手机号改为 13700000000' }).expect(201);
    await api.http.post(`/api/data-requests/${request.body.id}/resolve`).set(auth(hr)).send({ outcome: 'rejected', resolution: '' }).expect(400);
    await api.http.post(`/api/data-requests/${request.body.id}/resolve`).set(auth(hr)).send({ outcome: 'rejected', resolution: '无法核实身份，请到现场办理' }).expect(200);
    expect((await api.http.get('/api/candidate/data-requests').set(auth(tokenB)).expect(200)).body.items).toHaveLength(0);
    expect((await api.http.get('/api/candidate/data-requests').set(auth(tokenA)).expect(200)).body.items[0]).toMatchObject({ status: 'rejected', resolution: '无法核实身份，请到现场办理' });
  });
});

describe('retention policy', () => {
  it('starts at the defaults, lets an admin change it per tenant, and keeps audit logs at least 180 days', async () => {
    const initial = await api.http.get('/api/retention-policies').set(auth(hr)).expect(200);
    expect(initial.body.items).toEqual([
      { dataClass: 'audit_events', retainDays: 1095 },
      { dataClass: 'raw_audio', retainDays: 30 },
      { dataClass: 'rejected_candidate_data', retainDays: 180 },
      { dataClass: 'transcripts', retainDays: 365 },
    ]);
    const refused = await api.http.put('/api/retention-policies').set(auth(hr)).send({ items: [{ dataClass: 'audit_events', retainDays: 30 }] }).expect(400);
    expect(refused.body.issues[0]).toMatchObject({ path: 'body.items.0.retainDays' });
    const changed = await api.http.put('/api/retention-policies').set(auth(hr)).send({ items: [{ dataClass: 'raw_audio', retainDays: 7 }, { dataClass: 'audit_events', retainDays: 365 }] }).expect(200);
    expect(changed.body.items).toEqual(expect.arrayContaining([{ dataClass: 'raw_audio', retainDays: 7 }, { dataClass: 'audit_events', retainDays: 365 }]));
    const hrOnly = await signIn(db.db, acme, acme.employees.hr.id, month);
    await api.http.put('/api/retention-policies').set(auth(hrOnly)).send({ items: [{ dataClass: 'raw_audio', retainDays: 60 }] }).expect(403);
  });
});
