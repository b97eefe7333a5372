import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantConnection } from '../../server/src/features/platform/connect-tenant';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { spawnNode } from '../support/spawn-server';

let db: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'hb-connect-'));

const company = {
  tenant: { name: '北辰制造', platform: 'wecom', corpId: 'wwbeichen0001' },
  apps: [
    { kind: 'wecom_app', agentId: '1000005', secret: 'env:BEICHEN_APP_SECRET', callbackToken: 'env:BEICHEN_CB_TOKEN', encodingAesKey: 'env:BEICHEN_AES_KEY' },
    { kind: 'wecom_contacts', secret: 'env:BEICHEN_CONTACTS_SECRET' },
  ],
  admins: ['wangfang'],
  robots: [{ name: '招聘群', chatName: '北辰招聘进度', key: 'env:BEICHEN_ROBOT_KEY' }],
};

async function connect(file: object, env: Record<string, string> = {}) {
  const path = join(dir, `c-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(file));
  const run = spawnNode(['server/src/cli/connect-tenant.ts', '--file', path], {
    DATABASE_URL: db.url,
    HB_PUBLIC_URL: 'https://hire.beichen.example',
    BEICHEN_APP_SECRET: 's',
    ...env,
  });
  const { code } = await run.waitForExit(30_000);
  return { code, out: run.stdout(), err: run.stderr() };
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run tenant:connect', () => {
  it('accepts config/tenant.example.json as written', () => {
    const example = JSON.parse(readFileSync(new URL('../../config/tenant.example.json', import.meta.url), 'utf8'));
    expect(TenantConnection.safeParse(example).success).toBe(true);
  });

  it('connects a company with its apps and first admin, and prints the callback URL for the console', async () => {
    const { code, out } = await connect(company);
    expect(code).toBe(0);
    const app = await db.db.selectFrom('platform_apps').selectAll().where('kind', '=', 'wecom_app').executeTakeFirstOrThrow();
    expect(app).toMatchObject({ corp_id: 'wwbeichen0001', agent_id: '1000005', secret_ref: 'env:BEICHEN_APP_SECRET', api_base_url: 'https://qyapi.weixin.qq.com' });
    expect(out).toContain(`https://hire.beichen.example/callbacks/wecom/${app.id}`);
    expect(out).toMatch(/not set in this environment yet.*BEICHEN_CB_TOKEN, BEICHEN_AES_KEY, BEICHEN_CONTACTS_SECRET/);
    const admin = await db.db.selectFrom('employees').selectAll().where('platform_user_id', '=', 'wangfang').executeTakeFirstOrThrow();
    expect(admin.roles.sort()).toEqual(['admin', 'hr']);
    const robot = await db.db.selectFrom('group_robots').selectAll().executeTakeFirstOrThrow();
    expect(robot).toMatchObject({ name: '招聘群', platform: 'wecom', key_ref: 'env:BEICHEN_ROBOT_KEY', api_base_url: 'https://qyapi.weixin.qq.com' });
    expect(out).toContain(`group robot "招聘群": ${robot.id}`);
  });

  it('updates in place when run again, keeping roles granted since', async () => {
    await db.db.updateTable('employees').set({ roles: ['interviewer', 'admin', 'hr'] }).where('platform_user_id', '=', 'wangfang').execute();
    const { code } = await connect({ ...company, tenant: { ...company.tenant, name: '北辰智能制造' } });
    expect(code).toBe(0);
    expect(await db.db.selectFrom('tenants').select('name').execute()).toEqual([{ name: '北辰智能制造' }]);
    expect(await db.db.selectFrom('platform_apps').select('kind').execute()).toHaveLength(2);
    const admin = await db.db.selectFrom('employees').selectAll().where('platform_user_id', '=', 'wangfang').executeTakeFirstOrThrow();
    expect(admin.roles.sort()).toEqual(['admin', 'hr', 'interviewer']);
  });

  it('connects a DingTalk company with its AppKey and the numeric AgentId smart HR needs', async () => {
    const { code } = await connect({
      tenant: { name: '南山物流', platform: 'dingtalk', corpId: 'dingnanshan01' },
      apps: [{ kind: 'dingtalk_app', agentId: 'dingnanshanappkey', numericAgentId: '2718281828', secret: 'env:NANSHAN_APP_SECRET' }],
      admins: ['manager01'],
    });
    expect(code).toBe(0);
    const app = await db.db.selectFrom('platform_apps').selectAll().where('kind', '=', 'dingtalk_app').executeTakeFirstOrThrow();
    expect(app).toMatchObject({ agent_id: 'dingnanshanappkey', numeric_agent_id: '2718281828', api_base_url: 'https://api.dingtalk.com' });
    const wrong = await connect({ ...company, apps: [{ kind: 'wecom_app', agentId: '1', numericAgentId: '2', secret: 'env:X' }] });
    expect(wrong.code).toBe(65);
    expect(wrong.err).toMatch(/apps\.0\.numericAgentId: .*only DingTalk apps/);
  });

  it('refuses secrets written into the file, and says which field is wrong', async () => {
    const { code, err } = await connect({ ...company, apps: [{ kind: 'wecom_app', secret: 'plain-secret-value' }], robots: [{ name: 'x', key: 'env:K', signSecret: 'env:S' }] });
    expect(code).toBe(65);
    expect(err).toMatch(/apps\.0\.secret: .*env:NAME/);
    expect(err).toMatch(/apps\.0\.agentId: .*wecom_app needs agentId/);
    expect(err).toMatch(/robots: .*only DingTalk robots sign/);
    expect(err).not.toContain('plain-secret-value');
  });
});
