import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '@hirebridge/config';
import { connectDatabase, type DatabaseHandle } from './adapters/postgres/database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './adapters/postgres/embedded-postgres';
import { migrateToLatest } from './adapters/postgres/migrator';
import { isConnectionError } from './adapters/postgres/pg-errors';
import { postgresStores, postgresTransact, postgresTransactWithDemo } from './adapters/postgres/stores';
import { demoFieldCipher, FieldCipher } from './domain/field-cipher';
import { startPurgeSchedule, type PurgeSchedule } from './adapters/schedule/purge-schedule';
import { startReminderDispatcher, type ReminderDispatcher } from './adapters/schedule/reminder-schedule';
import { startNudgeDispatcher, type NudgeDispatcher } from './adapters/schedule/nudge-schedule';
import { startDigestDispatcher, type DigestDispatcher } from './adapters/schedule/digest-schedule';
import type { FeatureContext } from './features/context';
import { seedDemoCompany } from './features/demo';
import { startOutboxWorker } from './features/outbox/outbox-worker';
import { startInboxWorker } from './features/inbox/inbox-worker';
import { startDemoPlatform, type DemoPlatform } from './demo-platform';
import { createPlatformLayer } from './platform-layer';
import { httpBotRuntime } from './adapters/bot/http-runtime';
import { postgresTokenCache } from './adapters/postgres/token-cache';
import { wecomDirectoryFor } from './adapters/wecom/employee-directory';
import { dingtalkDirectoryFor } from './adapters/dingtalk/employee-directory';
import { listenForNotifications } from './adapters/postgres/notifications';
import { createApp, type HireBridgeApp } from './http/create-app';
import { attachLiveNotesSocket } from './http/live-notes-socket';
import { scorecardDrafterOf } from './adapters/llm/openai-compatible';
import type { SpeechToText } from './ports/speech-to-text';
import { createLogger, type Logger } from './observability/logger';
import { systemClock, type Clock } from './ports/clock';

export interface RunningHireBridge {
  readonly url: string;
  readonly app: HireBridgeApp;
  readonly log: Logger;
  readonly embedded: EmbeddedPostgres | undefined;
  /** Resolves once migrations are applied (and the demo seeded, if asked), however long the database takes. */
  readonly ready: Promise<void>;
  /** Graceful: stop accepting, finish in-flight requests, stop timers, close the database. Safe to call twice. */
  stop(reason?: string): Promise<void>;
}

/**
 * Keeps trying the database without crashing: migrations run once it answers, and each change between reachable
 * and unreachable is logged exactly once.
 */
class DatabaseSupervisor {
  state: 'unknown' | 'up' | 'down' = 'unknown';
  migrated = false;
  draining = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly ready: Promise<void>;
  private resolveReady!: () => void;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly log: Logger,
    private readonly retryIntervalMs: number,
    private readonly onFirstConnect: () => Promise<void>,
    private readonly where: string,
  ) {
    this.ready = new Promise((resolve) => {
      this.resolveReady = resolve;
    });
  }

  private mark(state: 'up' | 'down', error?: unknown) {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    if (state === 'down') {
      const reason = (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? String(error);
      this.log.error(`database unreachable at ${this.where} (${reason}); retrying every ${this.retryIntervalMs} ms, /readyz answers 503`);
    } else if (previous === 'down') {
      this.log.info(`database reachable again at ${this.where}`);
    }
  }

  async check(): Promise<'up' | 'down'> {
    try {
      await this.database.ping(2000);
      this.mark('up');
    } catch (error) {
      this.mark('down', error);
    }
    return this.state === 'up' ? 'up' : 'down';
  }

  start() {
    const tick = async () => {
      if (this.stopped) return;
      if (!this.migrated) {
        try {
          const applied = await migrateToLatest(this.database.db as never);
          if (applied.length) this.log.info({ applied }, 'database migrations applied');
          this.mark('up');
          await this.onFirstConnect();
          this.migrated = true;
          this.resolveReady();
        } catch (error) {
          if (isConnectionError(error)) this.mark('down', error);
          else {
            // A failing migration or seed is a bug or a broken database, not an outage: say it loudly, keep retrying.
            this.log.error({ err: error }, `database start-up work failed; retrying in ${this.retryIntervalMs} ms`);
          }
        }
      } else {
        await this.check();
      }
      if (!this.stopped) this.timer = setTimeout(tick, this.migrated ? Math.max(this.retryIntervalMs, 5000) : this.retryIntervalMs);
    };
    void tick();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}


/** During a database outage every poll of a background worker fails: say so once, and once when it recovers. */
function quietFailures(log: Logger, what: string) {
  let failing = false;
  return {
    onError(error: unknown) {
      if (!failing) log.warn({ err: error }, `${what} failing; retrying quietly until it recovers`);
      failing = true;
    },
    onSuccess() {
      if (failing) log.info(`${what} recovered`);
      failing = false;
    },
  };
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** The configured field cipher; only demo mode may fall back to the public demo key (configuration enforces it). */
function fieldCipherOf(config: AppConfig, log: Logger): FieldCipher {
  const { dataKeys, lookupKey } = config.privacy;
  if (dataKeys && lookupKey) return new FieldCipher(dataKeys, lookupKey);
  if (config.mode === 'production') throw new Error('HB_DATA_KEYS and HB_LOOKUP_KEY are required in production');
  log.warn('demo mode: personal data is encrypted with the public demo key; set both HB_DATA_KEYS and HB_LOOKUP_KEY for real data');
  return demoFieldCipher();
}

export async function startHireBridge(
  config: AppConfig,
  options: { clock?: Clock; log?: Logger; version?: string } = {},
): Promise<RunningHireBridge> {
  const log = options.log ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  // Speech recognition for live notes, built before anything starts so a broken engine setting fails fast. In demo
  // mode without a configured engine the simulator's Tencent ASR answers once the demo platform runs. The engines (and
  // their native modules) load only when one is configured.
  const { asr } = config;
  const speech: SpeechToText | undefined = asr.engine === 'none' ? undefined : (await import('./adapters/asr/speech-engine')).createSpeechToText(
    {
      HB_ASR_ENGINE: asr.engine,
      HB_ASR_TENCENT_APP_ID: asr.tencent.appId,
      HB_ASR_TENCENT_SECRET_ID: asr.tencent.secretId,
      HB_ASR_TENCENT_SECRET_KEY: asr.tencent.secretKey,
      HB_ASR_TENCENT_ENDPOINT: asr.tencent.endpoint,
      HB_ASR_ALIBABA_ACCESS_KEY_ID: asr.alibaba.accessKeyId,
      HB_ASR_ALIBABA_ACCESS_KEY_SECRET: asr.alibaba.accessKeySecret,
      HB_ASR_ALIBABA_APP_KEY: asr.alibaba.appKey,
      HB_ASR_ALIBABA_TOKEN_URL: asr.alibaba.tokenUrl,
      HB_ASR_ALIBABA_GATEWAY_URL: asr.alibaba.gatewayUrl,
      HB_ASR_LOCAL_MODEL_DIR: asr.localModelDir,
    },
    clock,
  );

  let embedded: EmbeddedPostgres | undefined;
  let url = config.database.url;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.database.embeddedDataDir, port: config.database.embeddedPort, log });
    url = embedded.url;
    log.info({ dataDir: embedded.dataDir, port: embedded.port, initialised: embedded.initialised }, 'embedded PostgreSQL running');
  }

  const database = connectDatabase({ url, poolMax: config.database.poolMax, log });
  const cipher = fieldCipherOf(config, log);
  // Mutable until the platform layer exists: sign-in uses its per-tenant exchanges, and the layer needs the stores.
  const features: { -readonly [K in keyof FeatureContext]: FeatureContext[K] } = {
    stores: postgresStores(database.db, cipher, clock),
    transact: postgresTransact(database.db, cipher, clock),
    clock,
  };
  const tokens = postgresTokenCache(database.db, clock);
  // The bot's 同步 runs a roster sync on request, with the same directories as the nightly reconciliation.
  features.rosterDirectories = {
    wecom_contacts: wecomDirectoryFor({ findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'wecom_contacts'), env: process.env, tokens, log }),
    dingtalk_app: dingtalkDirectoryFor({ findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'dingtalk_app'), env: process.env, tokens, log }),
  };
  features.publicUrl = config.http.publicUrl;
  // Copilot scorecard drafts from the company's own OpenAI-compatible model when HB_COPILOT_MODEL_* are set; rules otherwise.
  if (config.copilotModel) features.scorecardDrafter = features.probePhraser = scorecardDrafterOf(config.copilotModel, log);
  const platform = createPlatformLayer({
    features,
    db: database.db,
    tokens,
    env: process.env,
    log,
    rosterReconcileCron: config.rosterReconcileCron,
    timeZone: config.timeZone,
    publicUrl: config.http.publicUrl,
    ...(config.wechatReminderTemplate && { reminderTemplate: config.wechatReminderTemplate }),
    // The bot calls this server over HTTP (its own listening address) as the person who wrote the command.
    botRuntime: httpBotRuntime({ baseUrl: () => serverUrl }),
  });
  features.signIn = platform.signIn;
  let platformStarted = false;
  let outboxWorker: ReturnType<typeof startOutboxWorker> | undefined;
  let purgeSchedule: PurgeSchedule | undefined;
  let reminderDispatcher: ReminderDispatcher | undefined;
  let nudgeDispatcher: NudgeDispatcher | undefined;
  let digestDispatcher: DigestDispatcher | undefined;
  let inboxWorker: ReturnType<typeof startInboxWorker> | undefined;
  let demoPlatform: DemoPlatform | null | undefined;

  const supervisor = new DatabaseSupervisor(
    database,
    log,
    config.database.retryIntervalMs,
    async () => {
      const encrypted = await features.stores.candidates.encryptLegacyPlaintext(500);
      if (encrypted > 0) log.info({ candidates: encrypted }, 'encrypted personal data stored in clear by an earlier version');
      if (config.demo.seed) {
        const result = await seedDemoCompany(features, postgresTransactWithDemo(database.db, cipher, clock));
        if (result.seeded) log.info({ tenantId: result.tenantId }, 'loaded the demo company 星河科技（演示） into the empty database');
      }
      if (config.demo.simulatorPort !== undefined && !demoPlatform) {
        demoPlatform = (await startDemoPlatform({ port: config.demo.simulatorPort, serverUrl: () => serverUrl, db: database.db, features, log })) ?? null;
      }
      if (!platformStarted) {
        await platform.start();
        platformStarted = true;
      }
      outboxWorker ??= startOutboxWorker(features, platform.senders, quietFailures(log, 'outbox dispatch'));
      inboxWorker ??= startInboxWorker(features, platform.inboxHandlers, quietFailures(log, 'inbox processing'));
      reminderDispatcher ??= startReminderDispatcher({
        features,
        messenger: platform.candidateMessenger,
        log,
        surveyUrl: (interviewId) => `${config.http.publicUrl}/h5/#/pages/survey/index?interview=${interviewId}`,
        // Any instance scheduling or moving an interview wakes every dispatcher at once (LISTEN/NOTIFY).
        subscribe: (onChange) => listenForNotifications({ connectionString: url!, channel: 'hb_reminders', onNotify: onChange, log }),
      });
      nudgeDispatcher ??= startNudgeDispatcher({ features, log, publicUrl: config.http.publicUrl });
      digestDispatcher ??= startDigestDispatcher({ features, log });
      if (config.privacy.purgeCron) purgeSchedule ??= startPurgeSchedule({ cron: config.privacy.purgeCron, timeZone: config.timeZone, features, log });
    },
    embedded ? `embedded ${embedded.dataDir}` : describeUrl(url),
  );

  const app = createApp({
    features,
    log,
    devLogin: config.demo.devLogin,
    http: { bodyLimitBytes: config.http.bodyLimitBytes, trustProxy: config.http.trustProxy },
    version: options.version,
    secretsEnv: process.env,
    jsapiSignerFor: platform.jsapiSignerFor,
    publicUrl: config.http.publicUrl,
    h5Dir: config.http.h5Dir,
    readiness: {
      check: async () => ({
        database: supervisor.migrated ? await supervisor.check() : supervisor.state === 'up' ? 'up' : 'down',
        migrations: supervisor.migrated ? 'applied' : 'pending',
        draining: supervisor.draining,
      }),
    },
  });

  const server: Server = createServer(app.callback());
  // Live notes from the interviewer's phone: a WebSocket on the same server.
  const liveNotes = attachLiveNotesSocket(server, { features, speech: () => speech ?? demoPlatform?.speech, voiceActivity: async () => (await import('./adapters/asr/vad')).sileroVoiceActivity(), log });
  server.keepAliveTimeout = 5000;
  // While draining, every response closes its connection: a keep-alive connection left idle after its last answer
  // would otherwise hold server.close() (and the exit) until keepAliveTimeout.
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.http.port, config.http.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await database.close();
    await embedded?.stop();
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `HB_PORT: port ${config.http.port} on ${config.http.host} is already in use; stop the other server or choose another port`
        : `cannot listen on ${config.http.host}:${config.http.port}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const address = server.address() as AddressInfo;
  const serverUrl = `http://${address.address}:${address.port}`;
  supervisor.start();
  log.info({ url: serverUrl, mode: config.mode }, `HireBridge listening on ${serverUrl}`);

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'stop requested') => {
    stopping ??= (async () => {
      log.info({ reason }, 'shutting down: no new connections, finishing in-flight requests');
      supervisor.draining = true;
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Phones are told to reconnect elsewhere; what was recognised so far is stored before the database closes.
      const liveNotesClosed = liveNotes.close().catch((error: unknown) => log.warn({ err: error }, 'live notes did not close cleanly'));
      server.closeIdleConnections();
      const deadline = setTimeout(() => {
        log.warn('in-flight requests did not finish in time; closing their connections');
        server.closeAllConnections();
      }, config.http.shutdownTimeoutMs);
      await closed;
      clearTimeout(deadline);
      await liveNotesClosed;
      supervisor.stop();
      await Promise.all([outboxWorker?.stop(), inboxWorker?.stop(), reminderDispatcher?.stop(), nudgeDispatcher?.stop(), digestDispatcher?.stop(), purgeSchedule?.stop(), demoPlatform?.stop(), platform.stop()]);
      await database.close();
      await embedded?.stop();
      log.info('shutdown complete');
    })();
    return stopping;
  };

  return { url: serverUrl, app, log, embedded, ready: supervisor.ready, stop };
}
