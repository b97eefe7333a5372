import { z } from 'zod';

/**
 * Every setting HireBridge reads, in one place. Each entry is read from the environment variable of the same name
 * (or, for non-secrets, from the optional JSON file named by HB_CONFIG_FILE). `expected` is what an operator reads
 * when the value is wrong, so it says what a valid value looks like.
 */
export interface SettingDefinition<T> {
  readonly schema: z.ZodType<T>;
  readonly expected: string;
  readonly description: string;
  /** Secrets are accepted only from the environment, never from the file, and are never echoed back. */
  readonly secret?: boolean;
  readonly default?: string;
}

function setting<T>(definition: SettingDefinition<T>): SettingDefinition<T> {
  return definition;
}

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));

const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
});

const postgresUrl = z
  .string()
  .url()
  .refine((value) => /^postgres(ql)?:\/\//.test(value));

/** A 256-bit key; refused when it is obviously not random (few distinct bytes, e.g. all zeros or a repeated word). */
const keyBytes = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}=$/, { message: 'not base64 of 32 bytes' })
  .transform((value) => Buffer.from(value, 'base64'))
  .refine((key) => key.length === 32 && new Set(key).size >= 16, { message: 'weak key' });

const singleKey = keyBytes;

const dataKeys = z
  .string()
  .transform((value) => value.split(',').map((part) => part.trim()))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,32}:/)
          .transform((pair) => pair.split(':') as [string, string])
          .pipe(z.tuple([z.string(), keyBytes]))
          .transform(([id, key]) => ({ id, key })),
      )
      .min(1)
      .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, { message: 'duplicate key id' }),
  );

export const settings = {
  HB_CONFIG_FILE: setting({
    schema: z.string().min(1),
    expected: 'a path to a JSON file of setting names to string values',
    description:
      'Optional JSON file with non-secret settings, e.g. {"HB_PORT": "8080"}. The environment wins over the file.',
  }),
  HB_MODE: setting({
    schema: z.enum(['demo', 'production']),
    expected: '"demo" or "production"',
    description:
      'demo: seeds a demo company into an empty database and allows the demo sign-in; production: neither, and stricter checks.',
    default: 'demo',
  }),
  HB_HOST: setting({
    schema: z.string().min(1),
    expected: 'an interface address such as 127.0.0.1 or 0.0.0.0',
    description: 'Address the HTTP server listens on.',
    default: '127.0.0.1',
  }),
  HB_PORT: setting({
    schema: integer(0, 65535),
    expected: 'an integer from 0 to 65535 (0 picks a free port)',
    description: 'Port the HTTP server listens on.',
    default: '3000',
  }),
  HB_PUBLIC_URL: setting({
    schema: z.string().url(),
    expected: 'an absolute URL such as https://hire.example.com',
    description: 'URL people and platforms use to reach this server (links in messages, callback URLs).',
    default: 'http://127.0.0.1:3000',
  }),
  HB_MINIAPP_DIR: setting({
    schema: z.string().min(1),
    expected: 'a directory path',
    description: 'The built H5 mini-app (npm run build:h5), served under HB_PUBLIC_URL/h5/ for candidates opening links in a browser.',
    default: './miniapp/dist/h5',
  }),
  HB_WECHAT_REMINDER_TEMPLATE: setting({
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,128}:(thing|time|date|character_string|phrase|name|number|letter|symbol|amount|phone_number|car_number)\d+(,(thing|time|date|character_string|phrase|name|number|letter|symbol|amount|phone_number|car_number)\d+){2,3}$/)
      .optional(),
    expected: 'templateId:titleKey,timeKey,placeKey[,noteKey], e.g. AbC123:thing1,time2,thing3,thing4',
    description:
      'The mini-program subscription-message template for interview reminders and which data key carries the title, time, place and (optional) note. Unset: reminders go by 微信客服 or an HR call task. The mini-app build asks for the same template id (HB_MINIAPP_SUBSCRIBE_TEMPLATES).',
  }),
  HB_BODY_LIMIT_KB: setting({
    schema: integer(1, 10240),
    expected: 'an integer number of kilobytes from 1 to 10240',
    description: 'Largest request body accepted; larger bodies are answered 413 PAYLOAD_TOO_LARGE.',
    default: '256',
  }),
  HB_TRUST_PROXY: setting({
    schema: booleanFlag,
    expected: 'true or false',
    description: 'Trust X-Forwarded-For from a reverse proxy in front of the server (for client IPs in logs and limits).',
    default: 'false',
  }),
  HB_SHUTDOWN_TIMEOUT_MS: setting({
    schema: integer(100, 120000),
    expected: 'an integer number of milliseconds from 100 to 120000',
    description: 'How long a graceful shutdown waits for in-flight requests before closing connections.',
    default: '10000',
  }),
  DATABASE_URL: setting({
    schema: postgresUrl,
    expected: 'a postgres:// or postgresql:// connection URL',
    description:
      'PostgreSQL server to use. When unset, HireBridge starts its own embedded PostgreSQL 15 in HB_DATA_DIR/pg.',
    secret: true,
  }),
  HB_DATA_DIR: setting({
    schema: z.string().min(1),
    expected: 'a directory path',
    description: 'Directory for local state: the embedded PostgreSQL cluster lives in HB_DATA_DIR/pg.',
    default: './data',
  }),
  HB_EMBEDDED_PG_PORT: setting({
    schema: integer(1024, 65535),
    expected: 'an integer from 1024 to 65535',
    description: 'Port of the embedded PostgreSQL (loopback only). Ignored when DATABASE_URL is set.',
    default: '54329',
  }),
  HB_DB_POOL_MAX: setting({
    schema: integer(1, 200),
    expected: 'an integer from 1 to 200',
    description: 'Maximum connections in the PostgreSQL pool.',
    default: '10',
  }),
  HB_DB_RETRY_INTERVAL_MS: setting({
    schema: integer(100, 600000),
    expected: 'an integer number of milliseconds from 100 to 600000',
    description: 'While the database is unreachable, how often to try again (the server keeps running, /readyz is 503).',
    default: '5000',
  }),
  HB_LOG_LEVEL: setting({
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    expected: 'one of fatal, error, warn, info, debug, trace, silent',
    description: 'Minimum level of log lines written to stdout (JSON, one line per event).',
    default: 'info',
  }),
  HB_TIME_ZONE: setting({
    schema: timeZone,
    expected: 'an IANA time zone such as Asia/Shanghai',
    description: 'Zone used to show times when the viewer has none of their own. Times are always stored in UTC.',
    default: 'Asia/Shanghai',
  }),
  HB_DEMO_SEED: setting({
    schema: booleanFlag,
    expected: 'true or false',
    description: 'In demo mode, load the demo company into an empty database at start. Never touches a database with data.',
    default: 'true',
  }),
  HB_SIMULATOR: setting({
    schema: booleanFlag,
    expected: 'true or false (true is refused when HB_MODE=production)',
    description:
      'Demo mode only: run the local platform simulator (WeCom and the other platforms, speaking their real protocols) and connect the demo company to it.',
    default: 'true',
  }),
  HB_SIMULATOR_PORT: setting({
    schema: integer(0, 65535),
    expected: 'an integer from 0 to 65535 (0 picks a free port)',
    description: 'Port of the local platform simulator; its pages show what each simulated person received.',
    default: '3900',
  }),
  HB_ROSTER_RECONCILE_CRON: setting({
    schema: z.string().regex(/^(\S+\s+){4}\S+$|^off$/),
    expected: 'a five-field cron expression such as "30 2 * * *", or off',
    description:
      'When the nightly roster reconciliation runs (in HB_TIME_ZONE): a full sync with WeCom/DingTalk contacts that fixes and reports differences.',
    default: '30 2 * * *',
  }),
  HB_DATA_KEYS: setting({
    schema: dataKeys,
    expected:
      'comma-separated key-id:base64 pairs of 32 random bytes each (e.g. "k2:<base64>,k1:<base64>"; the first encrypts new values, the rest still decrypt; make one with `openssl rand -base64 32`)',
    description:
      'Keys for field encryption (AES-256-GCM) of candidates\' phone, e-mail, ID number and résumé. Each value stores its key id, so a new key goes first and old ones stay until re-encrypted. Required when HB_MODE=production; demo mode uses a fixed demo key when unset.',
    secret: true,
  }),
  HB_LOOKUP_KEY: setting({
    schema: singleKey,
    expected: 'base64 of 32 random bytes (make one with `openssl rand -base64 32`)',
    description:
      'Key of the HMAC that lets HireBridge find a candidate by full phone number without storing it in clear. Required when HB_MODE=production; not rotated with HB_DATA_KEYS.',
    secret: true,
  }),
  HB_PURGE_CRON: setting({
    schema: z.string().regex(/^(\S+\s+){4}\S+$|^off$/),
    expected: 'a five-field cron expression such as "0 3 * * *", or off',
    description:
      'When the nightly retention purge runs (in HB_TIME_ZONE): deletes or anonymises what each tenant\'s retention policy no longer allows, and records each deletion.',
    default: '0 3 * * *',
  }),
  HB_DEV_LOGIN: setting({
    schema: booleanFlag,
    expected: 'true or false (true is refused when HB_MODE=production)',
    description: 'Allow POST /api/dev/sessions to sign in as any demo employee. Demo mode only.',
    default: 'true',
  }),
  HB_ASR_ENGINE: setting({
    schema: z.enum(['none', 'tencent', 'alibaba', 'local']),
    expected: '"none", "tencent", "alibaba" or "local"',
    description:
      'Speech recognition for live interview notes: Tencent Cloud real-time ASR, Alibaba Cloud NLS, or the on-premises sherpa-onnx engine (no audio leaves the company; needs HB_ASR_LOCAL_MODEL_DIR). "none" offers typed notes only.',
    default: 'none',
  }),
  HB_ASR_TENCENT_APP_ID: setting({
    schema: z.string().regex(/^\d{1,20}$/),
    expected: 'the numeric AppID of the Tencent Cloud account',
    description: 'Tencent Cloud AppID (账号信息 → APPID) for real-time speech recognition.',
  }),
  HB_ASR_TENCENT_SECRET_ID: setting({
    schema: z.string().min(1),
    expected: 'a Tencent Cloud API SecretId',
    description: 'SecretId of a Tencent Cloud API key allowed to use ASR. Stays on the server; the phone never sees it.',
    secret: true,
  }),
  HB_ASR_TENCENT_SECRET_KEY: setting({
    schema: z.string().min(1),
    expected: 'the SecretKey of that API key',
    description: 'SecretKey that signs each real-time ASR connection URL. Stays on the server.',
    secret: true,
  }),
  HB_ASR_TENCENT_ENDPOINT: setting({
    schema: z.string().regex(/^wss?:\/\/[^\s/]+$/),
    expected: 'a ws:// or wss:// origin without a path, e.g. wss://asr.cloud.tencent.com',
    description: 'Where Tencent real-time ASR is reached (the platform simulator in demo and tests).',
    default: 'wss://asr.cloud.tencent.com',
  }),
  HB_ASR_ALIBABA_ACCESS_KEY_ID: setting({
    schema: z.string().min(1),
    expected: 'an Alibaba Cloud AccessKey ID',
    description: 'AccessKey ID used to obtain NLS tokens (CreateToken). Stays on the server.',
    secret: true,
  }),
  HB_ASR_ALIBABA_ACCESS_KEY_SECRET: setting({
    schema: z.string().min(1),
    expected: 'the AccessKey secret of that key',
    description: 'AccessKey secret that signs CreateToken requests. Stays on the server.',
    secret: true,
  }),
  HB_ASR_ALIBABA_APP_KEY: setting({
    schema: z.string().min(1),
    expected: 'the Appkey of an Intelligent Speech Interaction project',
    description: 'Appkey of the 智能语音交互 project whose model (Mandarin, 16 kHz) transcribes interviews.',
  }),
  HB_ASR_ALIBABA_TOKEN_URL: setting({
    schema: z.string().url(),
    expected: 'an http(s) URL, e.g. https://nls-meta.cn-shanghai.aliyuncs.com/',
    description: 'Alibaba CreateToken endpoint for the region.',
    default: 'https://nls-meta.cn-shanghai.aliyuncs.com/',
  }),
  HB_ASR_ALIBABA_GATEWAY_URL: setting({
    schema: z.string().regex(/^wss?:\/\/\S+$/),
    expected: 'a ws:// or wss:// URL, e.g. wss://nls-gateway-cn-shanghai.aliyuncs.com/ws/v1',
    description: 'Alibaba NLS real-time gateway for the region (the -internal host from an ECS in the same region).',
    default: 'wss://nls-gateway-cn-shanghai.aliyuncs.com/ws/v1',
  }),
  HB_ASR_LOCAL_MODEL_DIR: setting({
    schema: z.string().min(1),
    expected: 'a directory holding a sherpa-onnx streaming zipformer model (encoder, decoder, joiner .onnx and tokens.txt)',
    description:
      'On-premises recognition model, e.g. sherpa-onnx-streaming-zipformer-zh-14M-2023-02-23 fetched with `npm run asr:fetch-model -- --dir <dir> --sha256 <hex>`.',
  }),
  HB_COPILOT_MODEL_URL: setting({
    schema: z
      .string()
      .url()
      .refine((value) => /^https:\/\//.test(value) || /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(value))
      .refine((value) => !/\/chat\/completions\/?$/.test(value) && !/[?#]/.test(value)),
    expected:
      'an https:// base URL (or http://127.0.0.1:… / http://localhost:… for a model on this host) ending before /chat/completions, e.g. https://llm.internal.example.com/v1',
    description:
      'Optional OpenAI-compatible model endpoint the company runs (e.g. an on-prem Qwen or DeepSeek behind vLLM) for the copilot’s scorecard drafts. Unset: drafts are rule-based. Any model failure falls back to the rules.',
  }),
  HB_COPILOT_MODEL_NAME: setting({
    schema: z.string().regex(/^[\w.:/@-]{1,200}$/),
    expected: 'the model name the endpoint serves, e.g. qwen2.5-7b-instruct (letters, digits and . _ - : / @)',
    description: 'The "model" sent to HB_COPILOT_MODEL_URL. Required when HB_COPILOT_MODEL_URL is set.',
  }),
  HB_COPILOT_MODEL_KEY: setting({
    schema: z.string().regex(/^\S{1,500}$/),
    expected: 'an API key without spaces',
    description: 'Sent as "Authorization: Bearer …" to HB_COPILOT_MODEL_URL when the endpoint requires a key. Stays on the server.',
    secret: true,
  }),
  HB_COPILOT_MODEL_TIMEOUT_MS: setting({
    schema: integer(500, 120000),
    expected: 'an integer from 500 to 120000 (milliseconds)',
    description: 'How long one model request may take before the draft falls back to the rules.',
    default: '8000',
  }),
} as const;

export type SettingName = keyof typeof settings;
/** Parsed values. Only the settings without a default (the database URL, the file, the keys, ASR credentials) can be undefined. */
export type SettingValues = {
  [K in SettingName]: (typeof settings)[K] extends SettingDefinition<infer T> ? T : never;
} & {
  DATABASE_URL: string | undefined;
  HB_CONFIG_FILE: string | undefined;
  HB_DATA_KEYS: { id: string; key: Buffer }[] | undefined;
  HB_LOOKUP_KEY: Buffer | undefined;
  HB_ASR_TENCENT_APP_ID: string | undefined;
  HB_ASR_TENCENT_SECRET_ID: string | undefined;
  HB_ASR_TENCENT_SECRET_KEY: string | undefined;
  HB_ASR_ALIBABA_ACCESS_KEY_ID: string | undefined;
  HB_ASR_ALIBABA_ACCESS_KEY_SECRET: string | undefined;
  HB_ASR_ALIBABA_APP_KEY: string | undefined;
  HB_ASR_LOCAL_MODEL_DIR: string | undefined;
  HB_COPILOT_MODEL_URL: string | undefined;
  HB_COPILOT_MODEL_NAME: string | undefined;
  HB_COPILOT_MODEL_KEY: string | undefined;
};
