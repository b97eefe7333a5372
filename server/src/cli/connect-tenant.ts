import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { ConfigError, loadConfig } from '@hirebridge/config';
import { connectDatabase } from '../adapters/postgres/database';
import { startEmbeddedPostgres } from '../adapters/postgres/embedded-postgres';
import { migrateToLatest } from '../adapters/postgres/migrator';
import { baseUrlOf, robotBaseUrl, TenantConnection } from '../features/platform/connect-tenant';
import { createLogger } from '../observability/logger';

/**
 * `npm run tenant:connect -- --file company.json`: connects a company (creates or updates its tenant and apps, and
 * its first administrators). Running it again with an edited file updates in place. Prints the callback URLs to
 * enter in the WeCom / DingTalk console.
 */
const usage = 'usage: npm run tenant:connect -- --file <company.json>';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { file: { type: 'string' } } });
  if (!values.file) {
    console.error(usage);
    return 64;
  }
  let input: TenantConnection;
  try {
    const parsed = TenantConnection.safeParse(JSON.parse(readFileSync(values.file, 'utf8')));
    if (!parsed.success) {
      console.error(`${values.file} 不正确 is not valid:`);
      for (const issue of parsed.error.issues) console.error(`  ${issue.path.join('.') || '(file)'}: ${issue.message}`);
      return 65;
    }
    input = parsed.data;
  } catch (error) {
    console.error(`cannot read ${values.file}: ${(error as Error).message}`);
    return 66;
  }

  const config = loadConfig(process.env);
  const log = createLogger({ level: 'warn' });
  const missing = input.apps
    .flatMap((a) => [a.secret, a.callbackToken, a.encodingAesKey])
    .concat(input.robots.flatMap((r) => [r.key, r.signSecret]))
    .filter((ref): ref is string => ref !== undefined && !process.env[ref.slice(4)]);
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.database.embeddedDataDir, port: config.database.embeddedPort, log });
  const database = connectDatabase({ url: config.database.url ?? embedded!.url, poolMax: 1, log });
  try {
    await migrateToLatest(database.db as never);
    const result = await database.db.transaction().execute(async (trx) => {
      const tenant = await trx
        .insertInto('tenants')
        .values({ name: input.tenant.name, platform: input.tenant.platform, corp_id: input.tenant.corpId, time_zone: input.tenant.timeZone })
        .onConflict((oc) => oc.columns(['platform', 'corp_id']).doUpdateSet({ name: input.tenant.name, time_zone: input.tenant.timeZone }))
        .returning(['id', 'is_demo'])
        .executeTakeFirstOrThrow();
      if (tenant.is_demo) throw new Error(`corp ${input.tenant.corpId} is the demo tenant; connect a real company`);
      const apps: { kind: string; id: string; callback: boolean }[] = [];
      for (const app of input.apps) {
        const values = {
          corp_id: input.tenant.corpId,
          agent_id: app.agentId ?? null,
          numeric_agent_id: app.numericAgentId ?? null,
          secret_ref: app.secret,
          callback_token_ref: app.callbackToken ?? null,
          encoding_aes_key_ref: app.encodingAesKey ?? null,
          api_base_url: baseUrlOf(app.kind, app.apiBaseUrl),
          card_template_id: app.cardTemplateId ?? null,
        };
        const row = await trx
          .insertInto('platform_apps')
          .values({ tenant_id: tenant.id, kind: app.kind, ...values })
          .onConflict((oc) => oc.columns(['tenant_id', 'kind']).doUpdateSet(values))
          .returning('id')
          .executeTakeFirstOrThrow();
        apps.push({ kind: app.kind, id: row.id, callback: app.callbackToken !== undefined });
      }
      for (const userid of input.admins) {
        await trx
          .insertInto('employees')
          .values({ tenant_id: tenant.id, name: userid, platform_user_id: userid, roles: ['admin', 'hr'] })
          .onConflict((oc) =>
            oc.columns(['tenant_id', 'platform_user_id']).doUpdateSet({
              // Keep every role already granted; add admin and hr.
              roles: sql<string[]>`array(select distinct unnest(employees.roles || array['admin', 'hr']::text[]))`,
            }),
          )
          .execute();
      }
      const robots: { name: string; id: string }[] = [];
      for (const robot of input.robots) {
        const values = {
          platform: input.tenant.platform,
          chat_name: robot.chatName,
          key_ref: robot.key,
          sign_secret_ref: robot.signSecret ?? null,
          api_base_url: robot.apiBaseUrl ?? robotBaseUrl[input.tenant.platform],
        };
        const row = await trx
          .insertInto('group_robots')
          .values({ tenant_id: tenant.id, name: robot.name, ...values })
          .onConflict((oc) => oc.columns(['tenant_id', 'name']).doUpdateSet(values))
          .returning('id')
          .executeTakeFirstOrThrow();
        robots.push({ name: robot.name, id: row.id });
      }
      return { tenantId: tenant.id, apps, robots };
    });
    console.log(`已连接 connected: ${input.tenant.name} (${input.tenant.platform} ${input.tenant.corpId}), tenant ${result.tenantId}`);
    for (const app of result.apps) {
      const path = app.kind === 'dingtalk_app' ? 'dingtalk' : app.kind === 'wecom_aibot' ? 'wecom-aibot' : 'wecom';
      console.log(`  ${app.kind}${app.callback ? `: 回调地址 callback URL ${config.http.publicUrl}/callbacks/${path}/${app.id}` : ''}`);
    }
    for (const robot of result.robots) console.log(`  群机器人 group robot "${robot.name}": ${robot.id}`);
    if (missing.length) console.log(`注意 note: not set in this environment yet (the server needs them): ${missing.map((r) => r.slice(4)).join(', ')}`);
    return 0;
  } finally {
    await database.close();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? `HireBridge cannot start. ${error.message}` : `tenant:connect failed: ${(error as Error).message}`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  },
);
