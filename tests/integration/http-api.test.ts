import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';

let db: TestDatabase;
let api: TestApp;
let acme: TenantFixture;
let other: TenantFixture;
let hr: string;
let admin: string;
let interviewer: string;
let otherHr: string;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  db = await createTestDatabase();
  api = createTestApp(db, { bodyLimitBytes: 4 * 1024 });
  acme = await createTenant(db.db);
  // acme's HR recruits for both departments (an admin's scope setting); without it they would see only their own.
  await db.db
    .insertInto('employee_scopes')
    .values([acme.departmentId, acme.otherDepartmentId].map((department_id) => ({ tenant_id: acme.tenantId, employee_id: acme.employees.hr.id, department_id })))
    .execute();
  other = await createTenant(db.db);
  hr = await signIn(db.db, acme, acme.employees.hr.id);
  admin = await signIn(db.db, acme, acme.employees.admin.id);
  interviewer = await signIn(db.db, acme, acme.employees.interviewer.id);
  otherHr = await signIn(db.db, other, other.employees.hr.id);
});

afterAll(async () => {
  await db.drop();
});

async function openJob(token = hr, title = '后端工程师') {
  const created = await api.http
    .post('/api/jobs')
    .set(auth(token))
    .send({ departmentId: acme.departmentId, title, rounds: [{ name: '技术面', durationMinutes: 60 }] })
    .expect(201);
  await api.http.put(`/api/jobs/${created.body.id}/competency-model`).set(auth(token)).send(competencyModelInput()).expect(201);
  const opened = await api.http.post(`/api/jobs/${created.body.id}/status`).set(auth(token)).send({ status: 'open' }).expect(200);
  return opened.body as { id: string; status: string };
}

describe('sessions', () => {
  it('refuses requests without, with a forged, or with an expired token, all alike', async () => {
    const expired = await signIn(db.db, acme, acme.employees.hr.id, -1000);
    const answers = await Promise.all([
      api.http.get('/api/jobs'),
      api.http.get('/api/jobs').set(auth('A'.repeat(43))),
      api.http.get('/api/jobs').set(auth(expired)),
      api.http.get('/api/jobs').set({ authorization: 'Basic abc' }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('UNAUTHENTICATED');
      expect(answer.body.message).toBe(answers[0]!.body.message);
    }
  });

  it('ends the sessions of an employee who has left', async () => {
    const leaver = await signIn(db.db, acme, acme.employees.manager.id);
    await api.http.get('/api/me').set(auth(leaver)).expect(200);
    await db.db.updateTable('employees').set({ status: 'left' }).where('id', '=', acme.employees.manager.id).execute();
    await api.http.get('/api/me').set(auth(leaver)).expect(401);
    await db.db.updateTable('employees').set({ status: 'active' }).where('id', '=', acme.employees.manager.id).execute();
  });

  it('lists employees filtered by role and name', async () => {
    const hrs = await api.http.get('/api/employees').query({ role: 'hr' }).set(auth(hr)).expect(200);
    expect(hrs.body.items.map((e: { id: string }) => e.id)).toEqual([acme.employees.hr.id]);
    const managers = await api.http.get('/api/employees').query({ role: 'hiring_manager' }).set(auth(hr)).expect(200);
    expect(managers.body.items.map((e: { id: string }) => e.id)).toEqual([acme.employees.manager.id]);
    const named = await api.http.get('/api/employees').query({ q: '面试' }).set(auth(hr)).expect(200);
    expect(named.body.items.map((e: { id: string }) => e.id)).toEqual([acme.employees.interviewer.id]);
    const departments = await api.http.get('/api/departments').set(auth(hr)).expect(200);
    expect(departments.body.items.map((d: { name: string }) => d.name).sort()).toEqual(['技术部', '销售部'].sort());
  });

  it('tells the signed-in employee who they are and in which tenant', async () => {
    const me = await api.http.get('/api/me').set(auth(hr)).expect(200);
    expect(me.body.employee).toMatchObject({ id: acme.employees.hr.id, roles: ['hr'] });
    expect(me.body.tenant).toMatchObject({ id: acme.tenantId, platform: 'wecom', timeZone: 'Asia/Shanghai', isDemo: false });
  });
});

describe('jobs and competency models', () => {
  it('creates a draft job, edits it, and lists it with filters and pagination', async () => {
    const created = await api.http
      .post('/api/jobs')
      .set(auth(hr))
      .send({ departmentId: acme.departmentId, title: '数据工程师', headcount: 2, rounds: [{ name: '一面', durationMinutes: 45 }] })
      .expect(201);
    expect(created.body).toMatchObject({ title: '数据工程师', status: 'draft', headcount: 2, competencyModelVersion: null });
    expect(created.body.rounds).toEqual([{ id: expect.any(String), position: 1, name: '一面', durationMinutes: 45 }]);

    const edited = await api.http.patch(`/api/jobs/${created.body.id}`).set(auth(hr)).send({ location: '杭州', headcount: 3 }).expect(200);
    expect(edited.body).toMatchObject({ location: '杭州', headcount: 3, title: '数据工程师' });

    for (let i = 0; i < 5; i++) {
      await api.http.post('/api/jobs').set(auth(hr)).send({ departmentId: acme.otherDepartmentId, title: `销售经理 ${i}` }).expect(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string; departmentId: string }[]; nextCursor: string | null } } = await api.http
        .get('/api/jobs')
        .query({ departmentId: acme.otherDepartmentId, limit: 2, ...(cursor && { cursor }) })
        .set(auth(hr))
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      expect(page.body.items.every((j) => j.departmentId === acme.otherDepartmentId)).toBe(true);
      seen.push(...page.body.items.map((j) => j.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);

    const search = await api.http.get('/api/jobs').query({ q: '数据' }).set(auth(hr)).expect(200);
    expect(search.body.items.map((j: { title: string }) => j.title)).toEqual(['数据工程师']);
    const drafts = await api.http.get('/api/jobs').query({ status: 'open' }).set(auth(hr)).expect(200);
    expect(drafts.body.items.find((j: { id: string }) => j.id === created.body.id)).toBeUndefined();
  });

  it('needs a competency model before a job opens, and follows the job status machine', async () => {
    const job = await api.http.post('/api/jobs').set(auth(hr)).send({ departmentId: acme.departmentId, title: '测试工程师' }).expect(201);
    const refused = await api.http.post(`/api/jobs/${job.body.id}/status`).set(auth(hr)).send({ status: 'open' }).expect(409);
    expect(refused.body.code).toBe('INVALID_TRANSITION');
    await api.http.put(`/api/jobs/${job.body.id}/competency-model`).set(auth(hr)).send(competencyModelInput()).expect(201);
    await api.http.post(`/api/jobs/${job.body.id}/status`).set(auth(hr)).send({ status: 'open' }).expect(200);
    await api.http.post(`/api/jobs/${job.body.id}/status`).set(auth(hr)).send({ status: 'closed' }).expect(200);
    const back = await api.http.post(`/api/jobs/${job.body.id}/status`).set(auth(hr)).send({ status: 'draft' }).expect(409);
    expect(back.body.code).toBe('INVALID_TRANSITION');
  });

  it('makes every edit of a competency model a new version and keeps the old ones unchanged', async () => {
    const job = await api.http.post('/api/jobs').set(auth(hr)).send({ departmentId: acme.departmentId, title: '架构师' }).expect(201);
    const v1 = await api.http.put(`/api/jobs/${job.body.id}/competency-model`).set(auth(hr)).send(competencyModelInput([60, 40], '初版')).expect(201);
    const v2 = await api.http.put(`/api/jobs/${job.body.id}/competency-model`).set(auth(hr)).send(competencyModelInput([50, 30, 20], '加一项')).expect(201);
    expect([v1.body.version, v2.body.version]).toEqual([1, 2]);
    expect(v2.body.competencies.map((c: { weight: number }) => c.weight)).toEqual([50, 30, 20]);
    expect(v2.body.competencies[0].rubric.map((l: { level: number }) => l.level)).toEqual([1, 2, 3, 4]);
    expect(v2.body.createdBy).toBe(acme.employees.hr.id);

    const latest = await api.http.get(`/api/jobs/${job.body.id}/competency-model`).set(auth(interviewer)).expect(403);
    expect(latest.body.code).toBe('FORBIDDEN');
    const current = await api.http.get(`/api/jobs/${job.body.id}/competency-model`).set(auth(hr)).expect(200);
    expect(current.body.version).toBe(2);
    const old = await api.http.get(`/api/jobs/${job.body.id}/competency-models/1`).set(auth(hr)).expect(200);
    expect(old.body).toEqual(v1.body);
    const versions = await api.http.get(`/api/jobs/${job.body.id}/competency-models`).set(auth(hr)).expect(200);
    expect(versions.body.items.map((v: { version: number; note: string }) => [v.version, v.note])).toEqual([[2, '加一项'], [1, '初版']]);
    const jobNow = await api.http.get(`/api/jobs/${job.body.id}`).set(auth(hr)).expect(200);
    expect(jobNow.body.competencyModelVersion).toBe(2);
  });

  it('gives concurrent edits consecutive versions instead of a conflict', async () => {
    const job = await api.http.post('/api/jobs').set(auth(hr)).send({ departmentId: acme.departmentId, title: '并发测试' }).expect(201);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => api.http.put(`/api/jobs/${job.body.id}/competency-model`).set(auth(hr)).send(competencyModelInput())),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(answers.map((a) => a.body.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it('refuses an incomplete competency model with the field paths', async () => {
    const job = await api.http.post('/api/jobs').set(auth(hr)).send({ departmentId: acme.departmentId, title: '模型校验' }).expect(201);
    const bad = competencyModelInput([60, 30]);
    bad.competencies[0]!.rubric = bad.competencies[0]!.rubric.slice(0, 3);
    const answer = await api.http.put(`/api/jobs/${job.body.id}/competency-model`).set(auth(hr)).send(bad).expect(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    const paths = answer.body.issues.map((i: { path: string }) => i.path);
    expect(paths).toContain('body.competencies');
    expect(paths).toContain('body.competencies.0.rubric');
  });

  it('lets only HR and admins write, and hiring managers read', async () => {
    const manager = await signIn(db.db, acme, acme.employees.manager.id);
    await api.http.post('/api/jobs').set(auth(interviewer)).send({ departmentId: acme.departmentId, title: 'x' }).expect(403);
    await api.http.post('/api/jobs').set(auth(manager)).send({ departmentId: acme.departmentId, title: 'x' }).expect(403);
    await api.http.get('/api/jobs').set(auth(manager)).expect(200);
    await api.http.get('/api/jobs').set(auth(interviewer)).expect(403);
    await api.http.post('/api/jobs').set(auth(admin)).send({ departmentId: acme.departmentId, title: '管理员建的职位' }).expect(201);
  });
});

describe('candidates and applications', () => {
  it('masks personal data in every response and finds a candidate by phone tail', async () => {
    const created = await api.http
      .post('/api/candidates')
      .set(auth(hr))
      .send({ name: '林晓雨', phone: '138-1234-5678', email: 'xiaoyu@example.com', source: 'referral', timeZone: 'Europe/Berlin' })
      .expect(201);
    expect(created.body).toMatchObject({ name: '林晓雨', phoneMasked: '138****5678', emailMasked: 'x***@example.com', timeZone: 'Europe/Berlin' });
    expect(JSON.stringify(created.body)).not.toContain('12345678');
    expect(created.body).not.toHaveProperty('phone');
    expect(created.body).not.toHaveProperty('resumeText');

    const byTail = await api.http.get('/api/candidates').query({ q: '5678' }).set(auth(hr)).expect(200);
    expect(byTail.body.items.map((c: { id: string }) => c.id)).toEqual([created.body.id]);
    const byName = await api.http.get('/api/candidates').query({ q: '晓雨' }).set(auth(hr)).expect(200);
    expect(byName.body.items).toHaveLength(1);

    const edited = await api.http.patch(`/api/candidates/${created.body.id}`).set(auth(hr)).send({ talentPool: true }).expect(200);
    expect(edited.body.talentPool).toBe(true);
    const pool = await api.http.get('/api/candidates').query({ talentPool: 'true' }).set(auth(hr)).expect(200);
    expect(pool.body.items.map((c: { id: string }) => c.id)).toContain(created.body.id);
  });

  it('refuses bad candidate fields with their paths', async () => {
    const answer = await api.http
      .post('/api/candidates')
      .set(auth(hr))
      .send({ name: ' ', phone: 'call me', email: 'nope', timeZone: 'Beijing', source: 'tv' })
      .expect(400);
    expect(answer.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(
      ['body.email', 'body.name', 'body.phone', 'body.source', 'body.timeZone'].sort(),
    );
  });

  it('moves an application along its stages with history, and records who decided and why', async () => {
    const job = await openJob();
    const candidate = await api.http.post('/api/candidates').set(auth(hr)).send({ name: '黄志强' }).expect(201);
    const app = await api.http.post('/api/applications').set(auth(hr)).send({ candidateId: candidate.body.id, jobId: job.id }).expect(201);
    expect(app.body).toMatchObject({ stage: 'applied', candidateName: '黄志强', jobTitle: '后端工程师' });

    const duplicate = await api.http.post('/api/applications').set(auth(hr)).send({ candidateId: candidate.body.id, jobId: job.id }).expect(409);
    expect(duplicate.body.code).toBe('APPLICATION_EXISTS');

    await api.http.post(`/api/applications/${app.body.id}/stage`).set(auth(hr)).send({ to: 'screening' }).expect(200);
    const skip = await api.http.post(`/api/applications/${app.body.id}/stage`).set(auth(hr)).send({ to: 'hired' }).expect(409);
    expect(skip.body.code).toBe('INVALID_TRANSITION');
    const noReason = await api.http.post(`/api/applications/${app.body.id}/stage`).set(auth(hr)).send({ to: 'rejected' }).expect(400);
    expect(noReason.body.issues).toEqual([{ path: 'body.reason', message: expect.stringContaining('reason') }]);
    const rejected = await api.http
      .post(`/api/applications/${app.body.id}/stage`)
      .set(auth(hr))
      .send({ to: 'rejected', reason: '经验与岗位不匹配' })
      .expect(200);
    expect(rejected.body).toMatchObject({ stage: 'rejected', decidedBy: acme.employees.hr.id, decisionReason: '经验与岗位不匹配' });
    expect(rejected.body.history.map((h: { toStage: string }) => h.toStage)).toEqual(['applied', 'screening', 'rejected']);

    const audit = await db.db.selectFrom('audit_events').selectAll().where('object_id', '=', app.body.id).where('action', '=', 'application.move').execute();
    expect(audit.map((a) => a.reason)).toEqual([null, '经验与岗位不匹配']);

    // A new application is possible once the earlier one is closed.
    await api.http.post('/api/applications').set(auth(hr)).send({ candidateId: candidate.body.id, jobId: job.id }).expect(201);
    const list = await api.http.get('/api/applications').query({ candidateId: candidate.body.id }).set(auth(hr)).expect(200);
    expect(list.body.items.map((a: { stage: string }) => a.stage).sort()).toEqual(['applied', 'rejected']);
    const byStage = await api.http.get('/api/applications').query({ jobId: job.id, stage: 'rejected' }).set(auth(hr)).expect(200);
    expect(byStage.body.items).toHaveLength(1);
  });

  it('refuses applications to a job that is not open', async () => {
    const draft = await api.http.post('/api/jobs').set(auth(hr)).send({ departmentId: acme.departmentId, title: '草稿职位' }).expect(201);
    const candidate = await api.http.post('/api/candidates').set(auth(hr)).send({ name: '郑思远' }).expect(201);
    const answer = await api.http.post('/api/applications').set(auth(hr)).send({ candidateId: candidate.body.id, jobId: draft.body.id }).expect(409);
    expect(answer.body.code).toBe('JOB_NOT_OPEN');
  });
});

describe('tenant isolation', () => {
  it('answers another tenant’s ids exactly like unknown ids', async () => {
    const job = await openJob(hr, '隔离测试');
    const candidate = await api.http.post('/api/candidates').set(auth(hr)).send({ name: '许文静' }).expect(201);
    const app = await api.http.post('/api/applications').set(auth(hr)).send({ candidateId: candidate.body.id, jobId: job.id }).expect(201);
    const unknown = randomUUID();
    const pairs: [string, string][] = [
      [`/api/jobs/${job.id}`, `/api/jobs/${unknown}`],
      [`/api/jobs/${job.id}/competency-model`, `/api/jobs/${unknown}/competency-model`],
      [`/api/jobs/${job.id}/competency-models/1`, `/api/jobs/${unknown}/competency-models/1`],
      [`/api/candidates/${candidate.body.id}`, `/api/candidates/${unknown}`],
      [`/api/applications/${app.body.id}`, `/api/applications/${unknown}`],
    ];
    for (const [theirs, missing] of pairs) {
      const a = await api.http.get(theirs).set(auth(otherHr));
      const b = await api.http.get(missing).set(auth(otherHr));
      expect(a.status).toBe(404);
      expect(b.status).toBe(404);
      expect({ code: a.body.code, message: a.body.message }).toEqual({ code: b.body.code, message: b.body.message });
    }
    await api.http.patch(`/api/jobs/${job.id}`).set(auth(otherHr)).send({ title: '偷改' }).expect(404);
    await api.http.post(`/api/applications/${app.body.id}/stage`).set(auth(otherHr)).send({ to: 'screening' }).expect(404);
    // Referencing another tenant's objects in a body is refused the same way.
    const cross = await api.http.post('/api/applications').set(auth(otherHr)).send({ candidateId: candidate.body.id, jobId: job.id }).expect(404);
    expect(cross.body.code).toBe('NOT_FOUND');
    const crossDept = await api.http.post('/api/jobs').set(auth(otherHr)).send({ departmentId: acme.departmentId, title: '跨租户' }).expect(404);
    expect(crossDept.body.code).toBe('NOT_FOUND');
    const theirList = await api.http.get('/api/jobs').set(auth(otherHr)).expect(200);
    expect(theirList.body.items).toEqual([]);
  });

  it('answers a malformed id with 404, not a validation error', async () => {
    const answer = await api.http.get('/api/jobs/not-a-uuid').set(auth(hr)).expect(404);
    expect(answer.body.code).toBe('NOT_FOUND');
  });
});

describe('bad requests', () => {
  it('refuses malformed JSON, a wrong content type, a missing body and oversized bodies with stable codes', async () => {
    const malformed = await api.http.post('/api/jobs').set(auth(hr)).set('content-type', 'application/json').send('{"title": ').expect(400);
    expect(malformed.body.code).toBe('INVALID_JSON');
    const form = await api.http.post('/api/jobs').set(auth(hr)).set('content-type', 'text/plain').send('title=x').expect(415);
    expect(form.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const empty = await api.http.post('/api/jobs').set(auth(hr)).expect(400);
    expect(empty.body).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'body', message: 'required' }] });
    const big = await api.http
      .post('/api/jobs')
      .set(auth(hr))
      .send({ departmentId: acme.departmentId, title: '大', description: '字'.repeat(5000) })
      .expect(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
    const count = await db.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('title', '=', '大').executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('refuses unknown fields and bad query parameters with paths', async () => {
    const extra = await api.http.post('/api/jobs').set(auth(hr)).send({ departmentId: acme.departmentId, title: 'x', salary: 1 }).expect(400);
    expect(extra.body.issues).toEqual([{ path: 'body', message: expect.stringContaining('salary') }]);
    const limit = await api.http.get('/api/jobs').query({ limit: 1000 }).set(auth(hr)).expect(400);
    expect(limit.body.issues[0].path).toBe('query.limit');
    const cursor = await api.http.get('/api/jobs').query({ cursor: 'garbage' }).set(auth(hr)).expect(400);
    expect(cursor.body.issues[0].path).toBe('cursor');
  });

  it('answers unknown routes and wrong methods with codes, and echoes a safe request id', async () => {
    const missing = await api.http.get('/api/nothing-here').expect(404);
    expect(missing.body.code).toBe('ROUTE_NOT_FOUND');
    const method = await api.http.delete('/api/jobs').set(auth(hr)).expect(405);
    expect(method.body.code).toBe('METHOD_NOT_ALLOWED');
    const echoed = await api.http.get('/healthz').set('x-request-id', 'req-1234abcd').expect(200);
    expect(echoed.headers['x-request-id']).toBe('req-1234abcd');
    const replaced = await api.http.get('/api/nothing').set('x-request-id', '<script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.body.requestId).toBe(replaced.headers['x-request-id']);
  });
});

describe('operations endpoints', () => {
  it('reports health, readiness, metrics and the API description', async () => {
    await api.http.get('/healthz').expect(200, { status: 'ok' });
    const ready = await api.http.get('/readyz').expect(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'up', migrations: 'applied', draining: false } });
    const metrics = await api.http.get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.text).toMatch(/hirebridge_http_request_duration_seconds_bucket\{.*route="\/api\/jobs"/);
    expect(metrics.text).toMatch(/hirebridge_http_errors_total\{code="UNAUTHENTICATED"\}/);
  });

  it('answers /readyz 503 when the database check fails', async () => {
    const down = createTestApp(db, { readiness: { check: async () => ({ database: 'down', migrations: 'applied', draining: false }) } });
    const answer = await down.http.get('/readyz').expect(503);
    expect(answer.body.status).toBe('not_ready');
  });

  it('describes every mounted route in /openapi.json, generated from the contracts', async () => {
    const doc = await api.http.get('/openapi.json').expect(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const described = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m} ${path}`),
    );
    const mounted = api.app.routes.map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    expect(described.sort()).toEqual(mounted.sort());
    const createJob = doc.body.paths['/api/jobs'].post;
    expect(createJob.requestBody.content['application/json'].schema.required).toEqual(['departmentId', 'title']);
    expect(createJob.security).toEqual([{ session: [] }]);
    expect(doc.body.paths['/api/jobs/{jobId}'].get.parameters[0]).toMatchObject({ name: 'jobId', in: 'path', required: true });
    // The demo sign-in is mounted only where it is enabled.
    expect(described).not.toContain('post /api/dev/sessions');
  });
});
