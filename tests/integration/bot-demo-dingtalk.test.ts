import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@hirebridge/config';
import { createLogger } from '../../server/src/observability/logger';
import { demoDingtalk } from '../../server/src/demo-platform';
import { startHireBridge, type RunningHireBridge } from '../../server/src/server';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/free-port';

/**
 * The out-of-the-box run (`npm start`: server, simulator, demo company) shows the HR bot's DingTalk interactive cards:
 * the demo company's DingTalk robot is connected over Stream mode with a card template, so in the simulator's demo
 * group @bot 约面 … then @bot 取消 … answers with an interactive card whose buttons the group page shows. Everything
 * goes through the running server's own workers (inbox, outbox) and the simulator's pages, as a person would use it.
 */
let db: TestDatabase;
let running: RunningHireBridge;
let simUrl: string;
const group = `/groups/dingtalk/${encodeURIComponent(demoDingtalk.group.openConversationId)}`;

/** Polls a state the running server reaches on its own (no clock to drive); the timeout is only a safety net. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function mention(text: string, atUserIds: string[] = []) {
  const res = await fetch(`${simUrl}${group}/mention`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appKey: demoDingtalk.appKey, userId: 'zhoumin', text, atUserIds: atUserIds.join(',') }).toString(),
  });
  expect(res.status).toBe(303);
  expect(decodeURIComponent(res.headers.get('location') ?? '')).toContain('已 @ 机器人');
}

beforeAll(async () => {
  db = await createTestDatabase();
  const simulatorPort = await freePort();
  simUrl = `http://127.0.0.1:${simulatorPort}`;
  const config = loadConfig({
    HB_MODE: 'demo', DATABASE_URL: db.url, HB_PORT: '0', HB_HOST: '127.0.0.1', HB_SIMULATOR_PORT: String(simulatorPort),
    HB_LOG_LEVEL: 'silent', HB_PURGE_CRON: 'off', HB_ROSTER_RECONCILE_CRON: 'off',
  });
  running = await startHireBridge(config, { log: createLogger({ level: 'silent' }) });
  await running.ready;
}, 120_000);

afterAll(async () => {
  await running?.stop();
  await db?.drop();
});

describe('the demo’s DingTalk robot', () => {
  it('is connected with a card template, and 取消 in the demo group arrives as an interactive card with buttons', async () => {
    const app = await eventually('the demo dingtalk_app', async () =>
      db.db.selectFrom('platform_apps').innerJoin('tenants', 'tenants.id', 'platform_apps.tenant_id')
        .select(['platform_apps.card_template_id', 'platform_apps.api_base_url', 'platform_apps.agent_id'])
        .where('tenants.is_demo', '=', true).where('platform_apps.kind', '=', 'dingtalk_app').executeTakeFirst());
    expect(app).toEqual({ card_template_id: demoDingtalk.cardTemplateId, api_base_url: simUrl, agent_id: demoDingtalk.appKey });

    await mention('约面 黄志强 后端 明天下午3点 @刘洋', ['liuyang']);
    await eventually('the interview scheduled from the group', async () =>
      (await sql<{ status: string }>`SELECT i.status FROM interviews i
                                    WHERE i.status = 'scheduled' AND i.origin_chat->>'openConversationId' = ${demoDingtalk.group.openConversationId}`.execute(db.db)).rows[0]);

    await mention('取消 黄志强 候选人时间冲突');
    const page = await eventually('the interactive card on the group page', async () => {
      const html = await fetch(`${simUrl}${group}`).then((r) => r.text());
      return html.includes('确认取消这场面试？') && html.includes('data-key=') ? html : undefined;
    });
    // The card's buttons, as the group page renders an interactive card (a text listing would have none).
    expect(page).toContain('确认取消');
    expect(page).toContain('不取消');
    expect(page).toContain(demoDingtalk.cardTemplateId);
    // The candidate's name is masked in the group.
    expect(page).toContain('黄**');
    expect(page).not.toContain('黄志强');
  }, 90_000);
});
