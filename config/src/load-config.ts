import { readFileSync } from 'node:fs';
import { settings, type SettingDefinition, type SettingName, type SettingValues } from './settings';

export interface AppConfig {
  readonly mode: 'demo' | 'production';
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly publicUrl: string;
    readonly bodyLimitBytes: number;
    readonly trustProxy: boolean;
    readonly shutdownTimeoutMs: number;
    /** The built H5 mini-app served under /h5. */
    readonly h5Dir: string;
  };
  readonly database: {
    /** Undefined means: run the embedded PostgreSQL in `embeddedDataDir`. */
    readonly url: string | undefined;
    readonly embeddedDataDir: string;
    readonly embeddedPort: number;
    readonly poolMax: number;
    readonly retryIntervalMs: number;
  };
  readonly dataDir: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly timeZone: string;
  /** Cron of the nightly roster reconciliation, or undefined when off. */
  readonly rosterReconcileCron: string | undefined;
  /** Field encryption and the retention purge. Keys are undefined only in demo mode (the server then uses a demo key). */
  readonly privacy: {
    readonly dataKeys: readonly { readonly id: string; readonly key: Buffer }[] | undefined;
    readonly lookupKey: Buffer | undefined;
    /** Cron of the nightly retention purge, or undefined when off. */
    readonly purgeCron: string | undefined;
  };
  /** The reminder subscription template of the company's mini-program, when configured. */
  readonly wechatReminderTemplate:
    | { readonly templateId: string; readonly keys: { readonly title: string; readonly time: string; readonly location: string; readonly note?: string } }
    | undefined;
  /** Speech recognition for live notes (HB_ASR_*); `engine: 'none'` offers typed notes only. */
  readonly asr: {
    readonly engine: 'none' | 'tencent' | 'alibaba' | 'local';
    readonly tencent: { readonly appId: string | undefined; readonly secretId: string | undefined; readonly secretKey: string | undefined; readonly endpoint: string };
    readonly alibaba: {
      readonly accessKeyId: string | undefined;
      readonly accessKeySecret: string | undefined;
      readonly appKey: string | undefined;
      readonly tokenUrl: string;
      readonly gatewayUrl: string;
    };
    readonly localModelDir: string | undefined;
  };
  /** The company's OpenAI-compatible model for copilot drafts (HB_COPILOT_MODEL_*); undefined: rule-based drafts only. */
  readonly copilotModel:
    | { readonly baseUrl: string; readonly model: string; readonly apiKey: string | undefined; readonly timeoutMs: number }
    | undefined;
  readonly demo: {
    readonly seed: boolean;
    readonly devLogin: boolean;
    /** Port of the local platform simulator, or undefined when it does not run. */
    readonly simulatorPort: number | undefined;
  };
}

/** Thrown with one line per bad setting, each naming the setting and what it expects. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function readConfigFile(path: string, readFile: (path: string) => string): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError([`HB_CONFIG_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError([`HB_CONFIG_FILE: ${path} is not valid JSON (expected an object of setting names to strings)`]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`HB_CONFIG_FILE: ${path} must hold a JSON object of setting names to strings`]);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Reads every setting once. The environment wins over the file; the file may not hold secrets or unknown names
 * (a typo in a setting name would otherwise be silently ignored).
 */
export function loadConfig(
  env: Env,
  options: { readFile?: (path: string) => string } = {},
): AppConfig {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const problems: string[] = [];
  const fromFile: Record<string, unknown> = env.HB_CONFIG_FILE ? readConfigFile(env.HB_CONFIG_FILE, readFile) : {};

  for (const [name, value] of Object.entries(fromFile)) {
    const definition = (settings as Record<string, SettingDefinition<unknown>>)[name];
    if (!definition) problems.push(`${name}: unknown setting in HB_CONFIG_FILE`);
    else if (name === 'HB_CONFIG_FILE') problems.push(`${name}: cannot name another file from inside HB_CONFIG_FILE`);
    else if (definition.secret) problems.push(`${name}: is a secret and may only come from the environment, not HB_CONFIG_FILE`);
    else if (typeof value !== 'string') problems.push(`${name}: expected a string in HB_CONFIG_FILE, like the environment`);
  }

  const values: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(settings) as [SettingName, SettingDefinition<unknown>][]) {
    const fileValue = typeof fromFile[name] === 'string' && !definition.secret ? (fromFile[name] as string) : undefined;
    const raw = env[name] !== undefined && env[name] !== '' ? env[name] : (fileValue ?? definition.default);
    if (raw === undefined) {
      values[name] = undefined;
      continue;
    }
    const result = definition.schema.safeParse(raw.trim());
    if (result.success) values[name] = result.data;
    else problems.push(`${name}: expected ${definition.expected}${definition.secret ? '' : `, got ${JSON.stringify(raw)}`}`);
  }

  const v = values as SettingValues;
  // Demo-only switches default to on; in production they are off, and asking for them is an error.
  for (const [name, reason] of [
    ['HB_DEV_LOGIN', 'the demo sign-in bypasses real identity'],
    ['HB_SIMULATOR', 'production talks to the real platforms'],
  ] as const) {
    const asked = env[name] ?? fromFile[name];
    if (problems.length === 0 && v.HB_MODE === 'production' && asked !== undefined && v[name]) {
      problems.push(`${name}: expected false when HB_MODE=production (${reason})`);
    }
  }
  // Personal data is encrypted with operator keys in production; the demo key is public and only for the demo.
  const parsedCleanly = problems.length === 0;
  for (const [name, reason] of [
    ['HB_DATA_KEYS', 'personal data must be encrypted with your own key'],
    ['HB_LOOKUP_KEY', 'phone search must use your own key'],
  ] as const) {
    if (parsedCleanly && v.HB_MODE === 'production' && v[name] === undefined) {
      problems.push(`${name}: required when HB_MODE=production (${reason})`);
    }
  }
  // The chosen speech engine needs its credentials: say which at start-up, not at the first interview.
  const asrNeeds = { none: [], tencent: ['HB_ASR_TENCENT_APP_ID', 'HB_ASR_TENCENT_SECRET_ID', 'HB_ASR_TENCENT_SECRET_KEY'], alibaba: ['HB_ASR_ALIBABA_ACCESS_KEY_ID', 'HB_ASR_ALIBABA_ACCESS_KEY_SECRET', 'HB_ASR_ALIBABA_APP_KEY'], local: ['HB_ASR_LOCAL_MODEL_DIR'] } as const;
  if (problems.length === 0) {
    for (const name of asrNeeds[v.HB_ASR_ENGINE]) {
      if (v[name] === undefined) problems.push(`${name}: required when HB_ASR_ENGINE=${v.HB_ASR_ENGINE}`);
    }
  }
  // A model endpoint needs its model name; a name or key without an endpoint is a half-done setting.
  if (problems.length === 0) {
    if (v.HB_COPILOT_MODEL_URL !== undefined && v.HB_COPILOT_MODEL_NAME === undefined) problems.push('HB_COPILOT_MODEL_NAME: required when HB_COPILOT_MODEL_URL is set');
    for (const name of ['HB_COPILOT_MODEL_NAME', 'HB_COPILOT_MODEL_KEY'] as const) {
      if (v[name] !== undefined && v.HB_COPILOT_MODEL_URL === undefined) problems.push(`HB_COPILOT_MODEL_URL: required when ${name} is set`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = v.HB_DATA_DIR;
  return {
    mode: v.HB_MODE,
    http: {
      host: v.HB_HOST,
      port: v.HB_PORT,
      publicUrl: v.HB_PUBLIC_URL.replace(/\/+$/, ''),
      bodyLimitBytes: v.HB_BODY_LIMIT_KB * 1024,
      trustProxy: v.HB_TRUST_PROXY,
      shutdownTimeoutMs: v.HB_SHUTDOWN_TIMEOUT_MS,
      h5Dir: v.HB_MINIAPP_DIR,
    },
    database: {
      url: v.DATABASE_URL,
      embeddedDataDir: `${dataDir.replace(/\/+$/, '')}/pg`,
      embeddedPort: v.HB_EMBEDDED_PG_PORT,
      poolMax: v.HB_DB_POOL_MAX,
      retryIntervalMs: v.HB_DB_RETRY_INTERVAL_MS,
    },
    dataDir,
    logLevel: v.HB_LOG_LEVEL,
    timeZone: v.HB_TIME_ZONE,
    rosterReconcileCron: v.HB_ROSTER_RECONCILE_CRON === 'off' ? undefined : v.HB_ROSTER_RECONCILE_CRON,
    privacy: {
      dataKeys: v.HB_DATA_KEYS,
      lookupKey: v.HB_LOOKUP_KEY,
      purgeCron: v.HB_PURGE_CRON === 'off' ? undefined : v.HB_PURGE_CRON,
    },
    wechatReminderTemplate: reminderTemplateOf(v.HB_WECHAT_REMINDER_TEMPLATE),
    asr: {
      engine: v.HB_ASR_ENGINE,
      tencent: { appId: v.HB_ASR_TENCENT_APP_ID, secretId: v.HB_ASR_TENCENT_SECRET_ID, secretKey: v.HB_ASR_TENCENT_SECRET_KEY, endpoint: v.HB_ASR_TENCENT_ENDPOINT },
      alibaba: {
        accessKeyId: v.HB_ASR_ALIBABA_ACCESS_KEY_ID,
        accessKeySecret: v.HB_ASR_ALIBABA_ACCESS_KEY_SECRET,
        appKey: v.HB_ASR_ALIBABA_APP_KEY,
        tokenUrl: v.HB_ASR_ALIBABA_TOKEN_URL,
        gatewayUrl: v.HB_ASR_ALIBABA_GATEWAY_URL,
      },
      localModelDir: v.HB_ASR_LOCAL_MODEL_DIR,
    },
    copilotModel:
      v.HB_COPILOT_MODEL_URL && v.HB_COPILOT_MODEL_NAME
        ? { baseUrl: v.HB_COPILOT_MODEL_URL.replace(/\/+$/, ''), model: v.HB_COPILOT_MODEL_NAME, apiKey: v.HB_COPILOT_MODEL_KEY, timeoutMs: v.HB_COPILOT_MODEL_TIMEOUT_MS }
        : undefined,
    demo: {
      seed: v.HB_MODE === 'demo' && v.HB_DEMO_SEED,
      devLogin: v.HB_MODE === 'demo' && v.HB_DEV_LOGIN,
      simulatorPort: v.HB_MODE === 'demo' && v.HB_SIMULATOR ? v.HB_SIMULATOR_PORT : undefined,
    },
  };
}

function reminderTemplateOf(value: string | undefined): AppConfig['wechatReminderTemplate'] {
  if (!value) return undefined;
  const [templateId, keyList] = value.split(':') as [string, string];
  const [title, time, location, note] = keyList.split(',') as [string, string, string, string | undefined];
  return { templateId, keys: { title, time, location, ...(note && { note }) } };
}
