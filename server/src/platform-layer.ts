import { candidateMessageSender } from './adapters/wechat/candidate-message-sender';
import { wechatCandidateMessenger, type ReminderTemplate } from './adapters/wechat/candidate-messenger';
import { candidateMessageChannel } from './features/interviews';
import { kfMenuClickHandler, kfTextHandler } from './features/interviews/chat-replies';
import { dingtalkEmployeeSignInFor } from './adapters/dingtalk/sign-in';
import { wechatCandidateSignInFor } from './adapters/wechat/sign-in';
import { wecomEmployeeSignInFor } from './adapters/wecom/sign-in';
import type { CandidateSignInFor, EmployeeSignInFor } from './ports/sign-in';
import { calendarSyncChannel, calendarSyncSender, platformCalendars } from './adapters/calendar/calendar-sync';
import type { Db } from './adapters/postgres/database';
import type { TokenCache } from './adapters/postgres/token-cache';
import { startRosterSchedule, type RosterSchedule } from './adapters/schedule/roster-schedule';
import { dingtalkEmployeeChatSenders } from './adapters/dingtalk/employee-chat-sender';
import { dingtalkDirectoryFor } from './adapters/dingtalk/employee-directory';
import { dingtalkRobotChannels, dingtalkRobotSender } from './adapters/dingtalk/robot-sender';
import { dingtalkHrRosterFor } from './adapters/dingtalk/smart-hr';
import { startDingtalkStream, type DingtalkStreamConnection } from './adapters/dingtalk/stream-connection';
import { kfClients, kfDoorbellHandler, kfSender } from './adapters/wechat/kf';
import { subscriptionSender } from './adapters/wechat/subscription';
import { startAibotLongConnection, type AibotLongConnection } from './adapters/wecom/aibot/long-connection';
import { wecomAibotPushSender, wecomAibotReplySender } from './adapters/wecom/aibot/senders';
import { createWecomApi } from './adapters/wecom/api-client';
import { wecomSenders } from './adapters/wecom/app-message-sender';
import { createJsapiSigner } from './adapters/wecom/jsapi';
import { groupRobotSenders } from './adapters/platform/group-robot-senders';
import { resolveSecretRef } from './adapters/platform/secret-ref';
import { wecomHrRosterFor } from './adapters/wecom/hr-assistant';
import { ehrUpdateChannel, ehrUpdateSender } from './features/hires';
import { wecomDirectoryFor } from './adapters/wecom/employee-directory';
import type { FeatureContext } from './features/context';
import { acceptInboundEvent, type InboxHandlers } from './features/inbox';
import type { PlatformApp } from './features/platform';
import { dingtalkRosterInboxHandlers, rosterInboxHandlers } from './features/roster';
import { botInboxHandlers, type BotRuntime } from './features/bot/inbound';
import { cardActionInboxHandlers } from './features/group-chat/card-actions';
import { dingtalkCardActionInboxHandlers } from './features/group-chat/dingtalk-card-actions';
import type { Logger } from './observability/logger';
import type { HrRoster } from './ports/employee-directory';
import type { JsapiSigner, JsapiSignerFor } from './ports/jsapi-signer';
import { SendFailedError, type OutboundSender } from './ports/outbound-sender';

/** WeCom's long-connection endpoint for the AI bot (智能机器人). https://developer.work.weixin.qq.com/document/path/101463 */
const aibotWsUrl = 'wss://openws.work.weixin.qq.com';

/**
 * Wires the platform adapters to the core: which sender serves each outbox channel, which handler each inbound
 * event kind, and the long-lived connections (DingTalk stream mode, WeCom AI-bot long connection) and schedules.
 * Connections are opened for the apps present at start, and apps connected later (npm run tenant:connect) are
 * picked up by a rescan every `rescanMs`.
 */
export function createPlatformLayer(deps: {
  features: FeatureContext;
  db: Db;
  tokens: TokenCache;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  rosterReconcileCron: string | undefined;
  timeZone: string;
  /** HireBridge's public URL: links in messages (DingTalk card buttons) lead under it. */
  publicUrl: string;
  rescanMs?: number;
  /** The mini-program's reminder template (HB_WECHAT_REMINDER_TEMPLATE); without it reminders use 微信客服 or a call task. */
  reminderTemplate?: ReminderTemplate;
  /** The HR bot (bot/): when given, messages to the WeCom AI bot and the DingTalk robot are answered by it. */
  botRuntime?: BotRuntime;
}) {
  const { features, tokens, env, log } = deps;
  const appOfKind = (kind: PlatformApp['kind']) => (tenantId: string) => features.stores.platform.findAppOfKind(tenantId, kind);
  const aibotConnections = new Map<string, AibotLongConnection>();
  const streams = new Map<string, DingtalkStreamConnection>();
  let schedule: RosterSchedule | undefined;
  let rescanTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  /** Apps whose connection failed to start: reported once, retried on every rescan. */
  const reported = new Set<string>();

  const directoryFor = wecomDirectoryFor({ findApp: appOfKind('wecom_contacts'), env, tokens, log });
  const dingtalkDirectories = dingtalkDirectoryFor({ findApp: appOfKind('dingtalk_app'), env, tokens, log });
  const dingtalkRobot = dingtalkRobotSender({ findApp: appOfKind('dingtalk_app'), env, tokens, log });

  const wecomHrRosters = wecomHrRosterFor({ findApp: appOfKind('wecom_hr'), env, tokens, log });
  const dingtalkHrRosters = dingtalkHrRosterFor({ findApp: appOfKind('dingtalk_app'), agentIdFor: (app) => app.numericAgentId ?? undefined, env, tokens, log });
  /** The company's HR roster (人事助手 or 智能人事), by the platform the tenant runs on. */
  const hrRosterFor = async (tenantId: string): Promise<HrRoster> => {
    const tenant = await features.stores.directory.findTenant(tenantId);
    return tenant?.platform === 'dingtalk' ? dingtalkHrRosters(tenantId) : wecomHrRosters(tenantId);
  };
  const wecom = wecomSenders({ findApp: appOfKind('wecom_app'), env, tokens, log });
  const dingtalkChat = dingtalkEmployeeChatSenders({ findApp: appOfKind('dingtalk_app'), env, tokens, log, publicUrl: deps.publicUrl });
  /** The neutral employee-chat channels go to whichever platform the tenant runs on. */
  const byTenantPlatform = (choices: Record<'wecom' | 'dingtalk', OutboundSender>): OutboundSender => ({
    async send(message) {
      const tenant = await features.stores.directory.findTenant(message.tenantId);
      if (!tenant) throw new SendFailedError(`tenant ${message.tenantId} not found`, false, 'no_tenant');
      return choices[tenant.platform].send(message);
    },
  });

  const senders: Record<string, OutboundSender> = {
    wecom_app: wecom.wecom_app,
    employee_chat: byTenantPlatform({ wecom: wecom.employee_chat, dingtalk: dingtalkChat.employee_chat }),
    employee_card_update: byTenantPlatform({ wecom: wecom.employee_card_update, dingtalk: dingtalkChat.employee_card_update }),
    kf: kfSender({ env, tokens, log, features }),
    subscription: subscriptionSender({ env, tokens, log, features }),
    ...Object.fromEntries(dingtalkRobotChannels.map((channel) => [channel, dingtalkRobot])),
    wecom_aibot_reply: wecomAibotReplySender({ findApp: appOfKind('wecom_aibot'), clock: features.clock }),
    // Interview events in the panel's WeCom schedule or DingTalk calendar, kept in step with each schedule change.
    [calendarSyncChannel]: calendarSyncSender({
      db: deps.db,
      clock: features.clock,
      calendarFor: platformCalendars({ findApp: (tenantId, kind) => features.stores.platform.findAppOfKind(tenantId, kind), env, tokens, log }),
    }),
    // Group webhook robots registered per tenant (group_robots), each paced in its own bucket.
    ...groupRobotSenders({ findRobot: (tenantId, robotId) => features.stores.groupRobots.findRobot(tenantId, robotId), env, log, clock: features.clock }),
    // Hires written into the company's roster: WeCom 人事助手 through the tenant's wecom_hr app; DingTalk smart HR
    // is read-only here (its write API is not documented in what we could verify), so a write is refused clearly.
    [ehrUpdateChannel]: ehrUpdateSender({ rosterFor: hrRosterFor }),
    wecom_aibot_push: wecomAibotPushSender({
      connectionFor: (tenantId) => [...aibotConnections.values()].find((c) => c.tenantId === tenantId),
    }),
  };  // What features tell candidates (invitations, changes) goes out through the CandidateMessenger's channel choice.
  const candidateMessenger = wechatCandidateMessenger({
    features,
    senders: { kf: senders.kf!, subscription: senders.subscription! },
    timeZone: deps.timeZone,
    ...(deps.reminderTemplate && { reminderTemplate: deps.reminderTemplate }),
  });
  senders[candidateMessageChannel] = candidateMessageSender(candidateMessenger);


  /** What each kind of inbound event does; kinds without a handler are marked done and kept for the record. */
  const inboxHandlers: InboxHandlers = {
    // change_contact: the member is re-read through the tenant's contacts-sync app (kind wecom_contacts).
    ...rosterInboxHandlers(directoryFor),
    // DingTalk org events (user_add_org, user_leave_org, org_dept_* …) arrive over the stream.
    ...dingtalkRosterInboxHandlers(dingtalkDirectories),
    // 微信客服: the callback only rings; the handler fetches the messages with sync_msg from the saved cursor.
    'event.kf_msg_or_event': kfDoorbellHandler(kfClients({ env, tokens, log })),
    // A tap on an invitation's menu (确认参加 / 改个时间 / 婉拒), as the candidate bound to that WeChat user.
    'kf.menu_click': kfMenuClickHandler,
    // A time written in the chat ("改到周四下午"): answered with free times as menu choices.
    'kf.text': kfTextHandler,
    // Commands to the HR bot (@-mentions in groups, 1:1): WeCom AI bot messages and DingTalk robot text.
    ...(deps.botRuntime ? botInboxHandlers({ features, runtime: deps.botRuntime }) : {}),
    // Clicks on the bot's card buttons (WeCom AI bot template_card_event).
    ...(deps.botRuntime ? cardActionInboxHandlers({ features, runtime: deps.botRuntime }) : {}),
    // Clicks on the bot's DingTalk interactive cards (stream-mode card callback).
    ...(deps.botRuntime ? dingtalkCardActionInboxHandlers({ features, runtime: deps.botRuntime }) : {}),
  };

  // One JS-SDK signer per WeCom app; its tickets live in the cluster-wide cache.
  const signers = new Map<string, JsapiSigner>();
  const jsapiSignerFor: JsapiSignerFor = async (tenantId) => {
    const app = await features.stores.platform.findAppOfKind(tenantId, 'wecom_app');
    if (!app?.agentId) return undefined;
    let signer = signers.get(app.id);
    if (!signer) {
      const secret = resolveSecretRef(app.secretRef, { env, demoAllowed: app.tenantIsDemo });
      const api = createWecomApi({ credentials: { appId: app.id, corpId: app.corpId, secret, baseUrl: app.apiBaseUrl }, tokens, log });
      signer = createJsapiSigner({ api, tokens, app: { id: app.id, corpId: app.corpId, agentId: app.agentId }, clock: features.clock });
      signers.set(app.id, signer);
    }
    return signer;
  };

  /** Opens a connection for every DingTalk app and long-connection AI bot that has none yet. */
  async function connectNewApps() {
    const apps = await deps.db.selectFrom('platform_apps').select('id').where('kind', 'in', ['dingtalk_app', 'wecom_aibot']).execute();
    for (const { id } of apps) {
      if (stopped || streams.has(id) || aibotConnections.has(id)) continue;
      const app = await features.stores.platform.findApp(id);
      if (!app) continue;
      try {
        if (app.kind === 'dingtalk_app') {
          streams.set(app.id, startDingtalkStream({ app, env, log, accept: (event) => acceptInboundEvent(features, event), keepAlive: true }));
        } else if (app.kind === 'wecom_aibot' && !app.callbackTokenRef) {
          // An AI bot without a callback URL is reached over the long connection.
          aibotConnections.set(app.id, startAibotLongConnection({ app, env, features, log, wsUrl: aibotWsUrl }));
        }
        reported.delete(app.id);
      } catch (error) {
        if (!reported.has(app.id)) log.error({ err: error, appId: app.id, kind: app.kind }, 'platform connection could not start; fix the app configuration');
        reported.add(app.id);
      }
    }
  }

  const wecomSignIns = wecomEmployeeSignInFor({ findApp: appOfKind('wecom_app'), env, tokens, log });
  const dingtalkSignIns = dingtalkEmployeeSignInFor({ findApp: appOfKind('dingtalk_app'), env, tokens, log });
  /** Employee sign-in on whichever platform the tenant runs on. */
  const employeeSignInFor: EmployeeSignInFor = async (tenantId) => {
    const tenant = await features.stores.directory.findTenant(tenantId);
    if (!tenant) return undefined;
    return tenant.platform === 'dingtalk' ? dingtalkSignIns(tenantId) : wecomSignIns(tenantId);
  };
  const candidateSignInFor: CandidateSignInFor = wechatCandidateSignInFor({ findApp: appOfKind('wechat_miniprogram'), env, tokens, log });

  return {
    senders,
    inboxHandlers,
    jsapiSignerFor,
    hrRosterFor,
    /** Reaches candidates on whatever channel is open (reminders use it directly, to record channel and result). */
    candidateMessenger,
    /** Platform sign-in exchanges per tenant (features.signIn). */
    signIn: { employee: employeeSignInFor, candidate: candidateSignInFor },
    /** Opens the connections of the apps present now, keeps looking for new ones, and arms the schedules. */
    async start() {
      await connectNewApps();
      const rescan = () => {
        rescanTimer = setTimeout(() => {
          connectNewApps()
            .catch((error: unknown) => log.warn({ err: error }, 'looking for newly connected platform apps failed; will look again'))
            .finally(() => {
              if (!stopped) rescan();
            });
        }, deps.rescanMs ?? 60_000);
      };
      rescan();
      if (deps.rosterReconcileCron) {
        schedule = startRosterSchedule({
          cron: deps.rosterReconcileCron,
          timeZone: deps.timeZone,
          features,
          directoryFor: { wecom_contacts: directoryFor, dingtalk_app: dingtalkDirectories },
          log,
        });
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(rescanTimer);
      await Promise.all([...[...streams.values()].map((s) => s.stop()), ...[...aibotConnections.values()].map((c) => c.stop()), schedule?.stop()]);
    },
  };
}
