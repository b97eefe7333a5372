import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config';
import { settings } from './settings';
import { renderExample } from './write-example';

const problemsOf = (env: Record<string, string>, files: Record<string, string> = {}) => {
  try {
    loadConfig(env, { readFile: (path) => files[path] ?? (() => { throw Object.assign(new Error('no file'), { code: 'ENOENT' }); })() });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

const productionKeys = {
  HB_DATA_KEYS: `k2:${Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1)).toString('base64')},k1:${Buffer.from(Array.from({ length: 32 }, (_, i) => 255 - i * 5)).toString('base64')}`,
  HB_LOOKUP_KEY: Buffer.from(Array.from({ length: 32 }, (_, i) => i * 3 + 11)).toString('base64'),
};

describe('configuration', () => {
  it('starts in demo mode with embedded PostgreSQL when nothing is set', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('demo');
    expect(config.database.url).toBeUndefined();
    expect(config.database.embeddedDataDir).toBe('./data/pg');
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 3000, bodyLimitBytes: 256 * 1024 });
    expect(config.timeZone).toBe('Asia/Shanghai');
    expect(config.rosterReconcileCron).toBe('30 2 * * *');
    expect(loadConfig({ HB_ROSTER_RECONCILE_CRON: 'off' }).rosterReconcileCron).toBeUndefined();
    expect(problemsOf({ HB_ROSTER_RECONCILE_CRON: 'nightly' })[0]).toMatch(/^HB_ROSTER_RECONCILE_CRON: expected a five-field cron/);
    expect(config.demo).toEqual({ seed: true, devLogin: true, simulatorPort: 3900 });
  });

  it('reads typed values from the environment', () => {
    const config = loadConfig({
      HB_PORT: '8080',
      HB_BODY_LIMIT_KB: '64',
      DATABASE_URL: 'postgres://app:pw@db.internal:5432/hire',
      HB_TRUST_PROXY: 'yes',
      HB_TIME_ZONE: 'Europe/Berlin',
      HB_DATA_DIR: '/var/lib/hirebridge/',
    });
    expect(config.http.port).toBe(8080);
    expect(config.http.bodyLimitBytes).toBe(64 * 1024);
    expect(config.http.trustProxy).toBe(true);
    expect(config.database.url).toBe('postgres://app:pw@db.internal:5432/hire');
    expect(config.database.embeddedDataDir).toBe('/var/lib/hirebridge/pg');
    expect(config.timeZone).toBe('Europe/Berlin');
  });

  it('names every bad setting on its own line and says what it expects', () => {
    const problems = problemsOf({ HB_PORT: 'abc', HB_MODE: 'staging', HB_TIME_ZONE: 'Mars/Olympus', HB_BODY_LIMIT_KB: '0' });
    expect(problems).toHaveLength(4);
    expect(problems).toContain('HB_PORT: expected an integer from 0 to 65535 (0 picks a free port), got "abc"');
    expect(problems.find((p) => p.startsWith('HB_MODE:'))).toMatch(/"demo" or "production"/);
    expect(problems.find((p) => p.startsWith('HB_TIME_ZONE:'))).toMatch(/IANA time zone/);
    expect(problems.find((p) => p.startsWith('HB_BODY_LIMIT_KB:'))).toMatch(/from 1 to 10240/);
    const error = (() => {
      try {
        loadConfig({ HB_PORT: 'abc' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message.split('\n')).toEqual(['Invalid configuration:', '  HB_PORT: expected an integer from 0 to 65535 (0 picks a free port), got "abc"']);
  });

  it('reads the reminder subscription template with its data keys, and refuses a malformed one by name', () => {
    expect(loadConfig({}).wechatReminderTemplate).toBeUndefined();
    expect(loadConfig({ HB_WECHAT_REMINDER_TEMPLATE: 'AbC-123_x:thing1,time2,thing3,thing4' }).wechatReminderTemplate).toEqual({
      templateId: 'AbC-123_x',
      keys: { title: 'thing1', time: 'time2', location: 'thing3', note: 'thing4' },
    });
    expect(loadConfig({ HB_WECHAT_REMINDER_TEMPLATE: 'T1:thing1,time2,thing3' }).wechatReminderTemplate?.keys).toEqual({ title: 'thing1', time: 'time2', location: 'thing3' });
    for (const bad of ['T1', 'T1:thing1,time2', 'T1:thing1,clock2,thing3', 'T 1:thing1,time2,thing3']) {
      expect(problemsOf({ HB_WECHAT_REMINDER_TEMPLATE: bad })).toEqual([expect.stringMatching(/^HB_WECHAT_REMINDER_TEMPLATE: expected templateId:titleKey,timeKey,placeKey/)]);
    }
  });

  it('never echoes a secret value back', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(problems).toEqual(['DATABASE_URL: expected a postgres:// or postgresql:// connection URL']);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('reads non-secret settings from HB_CONFIG_FILE, with the environment winning', () => {
    const config = loadConfig(
      { HB_CONFIG_FILE: '/etc/hb.json', HB_PORT: '9000' },
      { readFile: () => JSON.stringify({ HB_PORT: '8000', HB_LOG_LEVEL: 'warn' }) },
    );
    expect(config.http.port).toBe(9000);
    expect(config.logLevel).toBe('warn');
  });

  it('refuses secrets, unknown names and non-strings in HB_CONFIG_FILE', () => {
    const problems = problemsOf(
      { HB_CONFIG_FILE: '/etc/hb.json' },
      { '/etc/hb.json': JSON.stringify({ DATABASE_URL: 'postgres://a:b@c/d', HB_PROT: '1', HB_PORT: 8080 }) },
    );
    expect(problems).toEqual([
      'DATABASE_URL: is a secret and may only come from the environment, not HB_CONFIG_FILE',
      'HB_PROT: unknown setting in HB_CONFIG_FILE',
      'HB_PORT: expected a string in HB_CONFIG_FILE, like the environment',
    ]);
  });

  it('says clearly when HB_CONFIG_FILE is missing or not JSON', () => {
    expect(problemsOf({ HB_CONFIG_FILE: '/nope.json' })).toEqual(['HB_CONFIG_FILE: cannot read /nope.json (ENOENT)']);
    expect(problemsOf({ HB_CONFIG_FILE: '/bad.json' }, { '/bad.json': '{port: 1' })[0]).toMatch(/^HB_CONFIG_FILE: \/bad.json is not valid JSON/);
  });

  it('refuses the demo sign-in in production and turns demo features off there', () => {
    expect(problemsOf({ HB_MODE: 'production', HB_DEV_LOGIN: 'true' })).toEqual([
      'HB_DEV_LOGIN: expected false when HB_MODE=production (the demo sign-in bypasses real identity)',
    ]);
    expect(problemsOf({ HB_MODE: 'production', HB_SIMULATOR: 'true' })).toEqual([
      'HB_SIMULATOR: expected false when HB_MODE=production (production talks to the real platforms)',
    ]);
    const config = loadConfig({ HB_MODE: 'production', DATABASE_URL: 'postgres://db/hire', ...productionKeys });
    expect(config.demo).toEqual({ seed: false, devLogin: false, simulatorPort: undefined });
  });

  it('reads the speech engine settings and names the credentials the chosen engine lacks', () => {
    expect(loadConfig({}).asr.engine).toBe('none');
    const config = loadConfig({
      HB_ASR_ENGINE: 'tencent',
      HB_ASR_TENCENT_APP_ID: '1300000001',
      HB_ASR_TENCENT_SECRET_ID: 'AKIDconfig',
      HB_ASR_TENCENT_SECRET_KEY: 'config-secret',
      HB_ASR_TENCENT_ENDPOINT: 'ws://127.0.0.1:9000',
    });
    expect(config.asr).toMatchObject({ engine: 'tencent', tencent: { appId: '1300000001', secretId: 'AKIDconfig', secretKey: 'config-secret', endpoint: 'ws://127.0.0.1:9000' } });
    expect(config.asr.alibaba.gatewayUrl).toBe('wss://nls-gateway-cn-shanghai.aliyuncs.com/ws/v1');
    expect(problemsOf({ HB_ASR_ENGINE: 'alibaba', HB_ASR_ALIBABA_APP_KEY: 'k' })).toEqual([
      'HB_ASR_ALIBABA_ACCESS_KEY_ID: required when HB_ASR_ENGINE=alibaba',
      'HB_ASR_ALIBABA_ACCESS_KEY_SECRET: required when HB_ASR_ENGINE=alibaba',
    ]);
    expect(problemsOf({ HB_ASR_ENGINE: 'local' })).toEqual(['HB_ASR_LOCAL_MODEL_DIR: required when HB_ASR_ENGINE=local']);
    expect(problemsOf({ HB_ASR_ENGINE: 'whisper' })[0]).toMatch(/^HB_ASR_ENGINE: expected "none", "tencent"/);
  });

  it('requires strong encryption keys in production and names the setting when one is weak or malformed', () => {
    expect(problemsOf({ HB_MODE: 'production', DATABASE_URL: 'postgres://db/hire' })).toEqual([
      'HB_DATA_KEYS: required when HB_MODE=production (personal data must be encrypted with your own key)',
      'HB_LOOKUP_KEY: required when HB_MODE=production (phone search must use your own key)',
    ]);
    const zeros = Buffer.alloc(32).toString('base64');
    const short = Buffer.alloc(16, 7).toString('base64');
    for (const bad of [`k1:${zeros}`, `k1:${short}`, 'k1', `k1:${productionKeys.HB_LOOKUP_KEY},k1:${productionKeys.HB_LOOKUP_KEY}`, `bad id!:${productionKeys.HB_LOOKUP_KEY}`]) {
      const problems = problemsOf({ ...productionKeys, HB_DATA_KEYS: bad });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^HB_DATA_KEYS: expected comma-separated key-id:base64 pairs/);
      // A secret is never echoed back, not even a weak one.
      if (bad.length > 20) expect(problems[0]).not.toContain(bad.slice(3, 20));
    }
    expect(problemsOf({ HB_LOOKUP_KEY: zeros })[0]).toMatch(/^HB_LOOKUP_KEY: expected base64 of 32 random bytes/);
    const config = loadConfig({ HB_MODE: 'production', DATABASE_URL: 'postgres://db/hire', ...productionKeys });
    expect(config.privacy.dataKeys?.map((k) => [k.id, k.key.length])).toEqual([['k2', 32], ['k1', 32]]);
    expect(config.privacy.purgeCron).toBe('0 3 * * *');
    // Demo mode runs without keys (the server falls back to its public demo key and says so).
    expect(loadConfig({}).privacy.dataKeys).toBeUndefined();
  });

  it('reads the copilot model endpoint and names the setting when it is wrong or half set', () => {
    expect(loadConfig({}).copilotModel).toBeUndefined();
    const config = loadConfig({ HB_COPILOT_MODEL_URL: 'https://llm.internal.example.com/v1/', HB_COPILOT_MODEL_NAME: 'qwen2.5-7b-instruct', HB_COPILOT_MODEL_KEY: 'sk-model-secret' });
    expect(config.copilotModel).toEqual({ baseUrl: 'https://llm.internal.example.com/v1', model: 'qwen2.5-7b-instruct', apiKey: 'sk-model-secret', timeoutMs: 8000 });
    expect(loadConfig({ HB_COPILOT_MODEL_URL: 'http://127.0.0.1:8000/v1', HB_COPILOT_MODEL_NAME: 'deepseek-chat', HB_COPILOT_MODEL_TIMEOUT_MS: '3000' }).copilotModel)
      .toEqual({ baseUrl: 'http://127.0.0.1:8000/v1', model: 'deepseek-chat', apiKey: undefined, timeoutMs: 3000 });
    // Plain http only to this host; the base URL ends before /chat/completions.
    for (const bad of ['http://llm.internal.example.com/v1', 'https://llm.example.com/v1/chat/completions', 'ftp://llm/v1', 'not a url']) {
      const problems = problemsOf({ HB_COPILOT_MODEL_URL: bad, HB_COPILOT_MODEL_NAME: 'qwen' });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^HB_COPILOT_MODEL_URL: expected an https:\/\/ base URL .* ending before \/chat\/completions/);
    }
    expect(problemsOf({ HB_COPILOT_MODEL_URL: 'https://llm.example.com/v1' })).toEqual(['HB_COPILOT_MODEL_NAME: required when HB_COPILOT_MODEL_URL is set']);
    expect(problemsOf({ HB_COPILOT_MODEL_KEY: 'sk-x' })).toEqual(['HB_COPILOT_MODEL_URL: required when HB_COPILOT_MODEL_KEY is set']);
    expect(problemsOf({ HB_COPILOT_MODEL_URL: 'https://llm.example.com/v1', HB_COPILOT_MODEL_NAME: 'has space' })[0]).toMatch(/^HB_COPILOT_MODEL_NAME: expected the model name/);
    expect(problemsOf({ HB_COPILOT_MODEL_TIMEOUT_MS: '100' })[0]).toBe('HB_COPILOT_MODEL_TIMEOUT_MS: expected an integer from 500 to 120000 (milliseconds), got "100"');
    // The key is a secret: never echoed back, and refused from the config file.
    const keyProblem = problemsOf({ HB_COPILOT_MODEL_URL: 'https://llm.example.com/v1', HB_COPILOT_MODEL_NAME: 'qwen', HB_COPILOT_MODEL_KEY: 'sk secret with spaces' });
    expect(keyProblem).toEqual(['HB_COPILOT_MODEL_KEY: expected an API key without spaces']);
    expect(problemsOf({ HB_CONFIG_FILE: '/etc/hb.json' }, { '/etc/hb.json': JSON.stringify({ HB_COPILOT_MODEL_KEY: 'sk-file' }) }))
      .toContain('HB_COPILOT_MODEL_KEY: is a secret and may only come from the environment, not HB_CONFIG_FILE');
  });

  it('keeps config/hirebridge.example.env in step with the schema', () => {
    const example = readFileSync(new URL('../hirebridge.example.env', import.meta.url), 'utf8');
    expect(example).toBe(renderExample());
    for (const name of Object.keys(settings)) expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});
