import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, signIn, type TenantFixture } from '../support/fixtures';

let db: TestDatabase;
let api: TestApp;
let tenant: TenantFixture;
let token: string;

beforeAll(async () => {
  db = await createTestDatabase();
  api = createTestApp(db, { bodyLimitBytes: 2048 });
  tenant = await createTenant(db.db);
  token = await signIn(db.db, tenant, tenant.employees.hr.id);
});

afterAll(async () => {
  await db.drop();
});

describe('what the server logs', () => {
  it('never contains phone numbers, ID numbers, tokens or secrets, whatever requests carry', async () => {
    const phone = '13987654321';
    const idNumber = '44030519900101123X';
    const auth = { authorization: `Bearer ${token}` };
    await api.http.post('/api/candidates').set(auth).send({ name: '测试', phone, resumeText: `身份证 ${idNumber}` }).expect(201);
    await api.http.post('/api/candidates').set(auth).send({ name: '测试', phone: `${phone}x` }).expect(400);
    await api.http.get('/api/candidates').query({ q: phone }).set(auth).expect(200);
    await api.http.get(`/api/candidates?q=${phone}&access_token=sekret-token-value`).set(auth).expect(200);
    await api.http.post('/api/candidates').set(auth).set('content-type', 'application/json').send(`{"phone": "${phone}"`).expect(400);
    await api.http.post('/api/candidates').set(auth).send({ name: 'x'.repeat(3000), phone }).expect(413);
    await api.http.get('/api/jobs').set({ authorization: `Bearer ${token}forged` }).expect(401);
    await api.http.get(`/api/nothing/${phone}`).set(auth).expect(404);

    expect(api.logs.length).toBeGreaterThan(5);
    const text = api.logs.join('\n');
    for (const secret of [phone, idNumber, token, 'sekret-token-value']) expect(text).not.toContain(secret);
    // Each line is a JSON object with a request id, so lines can be correlated without personal data.
    for (const line of api.logs.filter((l) => l.includes('"msg":"request"'))) {
      expect(JSON.parse(line)).toMatchObject({ requestId: expect.any(String), status: expect.any(Number) });
    }
  });
});
