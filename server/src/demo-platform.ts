import { sql } from 'kysely';
import type { Db } from './adapters/postgres/database';
import type { FeatureContext } from './features/context';
import { enqueueMessage } from './features/outbox';
import type { Simulator } from '@hirebridge/simulator';
import type { Logger } from './observability/logger';
import { TencentSpeechToText } from './adapters/asr/tencent-asr';
import type { SpeechToText } from './ports/speech-to-text';
import { systemClock } from './ports/clock';

/**
 * The out-of-the-box run: starts the local platform simulator and connects the demo company to it, exactly as a
 * real company connects its WeCom apps (platform_apps rows whose API base URL is the simulator's, credentials the
 * simulator knows). The simulator signs, encrypts and delivers callbacks to this server, so everything between the
 * two goes through the real adapters. Only ever used in demo mode; real tenants never see `demo:` credentials.
 */
const demoApp = {
  agentId: 1000002,
  secret: 'xinghe-demo-app-secret',
  contactsSecret: 'xinghe-demo-contacts-secret',
  callbackToken: 'xinghedemotoken',
  encodingAesKey: 'HireBridgeDemoEncodingAESKey0123456789abcde',
};

/**
 * The demo's DingTalk robot (an internal app in Stream mode) beside its WeCom apps, so the HR bot can be tried in a
 * DingTalk group too: its button cards (取消's confirmation, 约面's time choices, 面评进度's nudges) arrive as interactive
 * cards built from the card template registered here, as a company's admin would build one in DingTalk's card platform.
 */
export const demoDingtalk = {
  appKey: 'dingxinghedemoapp',
  appSecret: 'xinghe-demo-dingtalk-secret',
  corpId: 'dingxinghedemocorp',
  cardTemplateId: 'xinghe-demo-hr-bot-card.schema',
  group: { openConversationId: 'cidXingheDemoHR==', title: '星河科技招聘群' },
};

/** The demo's speech recognition: the simulator's Tencent real-time ASR, which knows the fixture audio's transcripts. */
const demoAsrApp = { appId: '1300000001', secretId: 'AKIDxinghedemo0001', secretKey: 'xinghe-demo-asr-secret' };

export interface DemoPlatform {
  readonly url: string;
  /** Live notes' engine when HB_ASR_ENGINE is none: the simulated Tencent ASR (it recognises the fixture audio only). */
  readonly speech: SpeechToText;
  stop(): Promise<void>;
}

export async function startDemoPlatform(options: {
  port: number;
  serverUrl: () => string;
  db: Db;
  features: FeatureContext;
  log: Logger;
}): Promise<DemoPlatform | undefined> {
  // The simulator is a workspace package for tests and demos; production never loads it.
  const { startSimulator } = await import('@hirebridge/simulator');
  let sim: Simulator;
  try {
    sim = await startSimulator({ port: options.port });
  } catch (error) {
    options.log.warn(
      { err: error },
      `platform simulator could not start on port ${options.port} (HB_SIMULATOR_PORT); continuing without it`,
    );
    return undefined;
  }
  try {
    await connectDemoCompany(sim, options);
  } catch (error) {
    // Start-up work is retried: leave no simulator holding the port.
    await sim.stop();
    throw error;
  }
  sim.asr.tencent.addApp(demoAsrApp);
  const speech = new TencentSpeechToText({ ...demoAsrApp, endpoint: sim.asr.endpoints.tencent, clock: systemClock });
  options.log.info({ endpoint: sim.asr.endpoints.tencent }, 'demo live notes: speech recognition by the simulated Tencent real-time ASR');
  return { url: sim.url, speech, stop: () => sim.stop() };
}

async function connectDemoCompany(
  sim: Simulator,
  options: { serverUrl: () => string; db: Db; features: FeatureContext; log: Logger },
): Promise<void> {
  const { db } = options;
  const tenant = await db.selectFrom('tenants').select(['id', 'corp_id', 'name']).where('is_demo', '=', true).orderBy('created_at').executeTakeFirst();
  if (tenant) {
    const upsert = (kind: 'wecom_app' | 'wecom_contacts', values: { agent_id: string | null; secret_ref: string; callback: boolean }) =>
      db
        .insertInto('platform_apps')
        .values({
          tenant_id: tenant.id,
          kind,
          corp_id: tenant.corp_id,
          agent_id: values.agent_id,
          secret_ref: values.secret_ref,
          callback_token_ref: values.callback ? `demo:${demoApp.callbackToken}` : null,
          encoding_aes_key_ref: values.callback ? `demo:${demoApp.encodingAesKey}` : null,
          api_base_url: sim.url,
        })
        // The simulator's port may differ from the last run's: keep the row, follow the URL.
        .onConflict((oc) => oc.columns(['tenant_id', 'kind']).doUpdateSet({ api_base_url: sim.url }))
        .returning('id')
        .executeTakeFirstOrThrow();
    const app = await upsert('wecom_app', { agent_id: String(demoApp.agentId), secret_ref: `demo:${demoApp.secret}`, callback: true });
    await upsert('wecom_contacts', { agent_id: null, secret_ref: `demo:${demoApp.contactsSecret}`, callback: false });

    sim.wecom.addCorp({
      corpId: tenant.corp_id,
      name: tenant.name,
      apps: [{ agentId: demoApp.agentId, secret: demoApp.secret, name: '招聘桥' }],
      contactsSecret: demoApp.contactsSecret,
      callbackToken: demoApp.callbackToken,
      encodingAesKey: demoApp.encodingAesKey,
      callbackUrl: `${options.serverUrl()}/callbacks/wecom/${app.id}`,
    });
    const departments = await db.selectFrom('departments').select(['id', 'name', 'platform_department_id']).where('tenant_id', '=', tenant.id).execute();
    const platformDept = new Map(departments.map((d) => [d.id, Number(d.platform_department_id)]));
    sim.wecom.addDepartment(tenant.corp_id, { id: 1, name: tenant.name, parentid: 0 });
    for (const d of departments) {
      const id = Number(d.platform_department_id);
      if (Number.isInteger(id) && id > 1) sim.wecom.addDepartment(tenant.corp_id, { id, name: d.name, parentid: 1 });
    }
    const employees = await db
      .selectFrom('employees')
      .select(['platform_user_id', 'name', 'title', 'department_id'])
      .where('tenant_id', '=', tenant.id)
      .where('status', '=', 'active')
      .execute();
    for (const e of employees) {
      const dept = (e.department_id && platformDept.get(e.department_id)) || 1;
      sim.wecom.addUser(tenant.corp_id, { userid: e.platform_user_id, name: e.name, department: [dept], ...(e.title && { position: e.title }) });
    }
    await connectDemoDingtalk(sim, options, tenant.id, employees);
    // What an admin does when saving the callback URL in the WeCom console: WeCom checks it answers correctly.
    const check = await sim.wecom.verifyCallbackUrl(tenant.corp_id);
    if (check.ok) options.log.info('demo WeCom app: callback URL verified by the simulator');
    else options.log.warn({ status: check.status, error: check.error }, 'demo WeCom app: the simulator could not verify the callback URL');
    const hr = await db
      .selectFrom('employees')
      .select('platform_user_id')
      .where('tenant_id', '=', tenant.id)
      .where('roles', '@>', sql<string[]>`${sql.val(['hr'])}::text[]`)
      .orderBy('created_at')
      .executeTakeFirst();
    if (hr) {
      await enqueueMessage(options.features.stores, {
        tenantId: tenant.id,
        channel: 'wecom_app',
        recipient: hr.platform_user_id,
        payload: {
          msgtype: 'markdown',
          markdown: {
            content: '**欢迎使用招聘桥（演示）**\n这条消息经由发件箱、企业微信应用消息接口送达平台模拟器。\nWelcome to HireBridge (demo): this message travelled through the outbox and the WeCom app-message API to the simulator.',
          },
        },
        idempotencyKey: `demo:welcome:${tenant.id}`,
      });
    }
    options.log.info(
      { url: sim.url },
      `platform simulator running: what each person receives is at ${sim.url}/people/wecom/${tenant.corp_id}/<userid>, e.g. ${sim.url}/people/wecom/${tenant.corp_id}/zhoumin`,
    );
  }
}

/**
 * The demo company's DingTalk robot: the app, its card template and a group with everyone in it, in the simulator;
 * the `dingtalk_app` row (with `cardTemplateId`) in the database, so the platform layer opens its Stream connection
 * and the robot sender delivers button cards as interactive cards. The row follows the simulator's URL.
 */
async function connectDemoDingtalk(
  sim: Simulator,
  options: { serverUrl: () => string; db: Db; log: Logger },
  tenantId: string,
  employees: readonly { platform_user_id: string; name: string }[],
): Promise<void> {
  await options.db
    .insertInto('platform_apps')
    .values({
      tenant_id: tenantId,
      kind: 'dingtalk_app',
      corp_id: demoDingtalk.corpId,
      agent_id: demoDingtalk.appKey,
      secret_ref: `demo:${demoDingtalk.appSecret}`,
      callback_token_ref: null,
      encoding_aes_key_ref: null,
      api_base_url: sim.url,
      card_template_id: demoDingtalk.cardTemplateId,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'kind']).doUpdateSet({ api_base_url: sim.url, card_template_id: demoDingtalk.cardTemplateId }))
    .execute();
  sim.dingtalk.addApp({ appKey: demoDingtalk.appKey, appSecret: demoDingtalk.appSecret, robotCode: demoDingtalk.appKey, corpId: demoDingtalk.corpId, name: '招聘桥' });
  sim.dingtalk.addCardTemplate(demoDingtalk.cardTemplateId);
  for (const e of employees) sim.dingtalk.addUser({ userId: e.platform_user_id, name: e.name });
  sim.dingtalk.addGroup(demoDingtalk.group);
  options.log.info(
    { url: sim.url },
    `demo DingTalk robot: @ it in the group at ${sim.url}/groups/dingtalk/${encodeURIComponent(demoDingtalk.group.openConversationId)} (button cards arrive as interactive cards)`,
  );
}
