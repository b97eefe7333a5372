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
} as const;

export type SettingName = keyof typeof settings;
/** Parsed values. Only the settings without a default (the database URL, the file, the keys) can be undefined. */
export type SettingValues = {
  [K in SettingName]: (typeof settings)[K] extends SettingDefinition<infer T> ? T : never;
} & {
  DATABASE_URL: string | undefined;
  HB_CONFIG_FILE: string | undefined;
  HB_DATA_KEYS: { id: string; key: Buffer }[] | undefined;
  HB_LOOKUP_KEY: Buffer | undefined;
};
