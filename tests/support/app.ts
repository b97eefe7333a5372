import { Writable } from 'node:stream';
import supertest from 'supertest';
import { createApp, type HireBridgeApp } from '../../server/src/http/create-app';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock, type Clock } from '../../server/src/ports/clock';
import type { TestDatabase } from './database';

export interface TestApp {
  readonly app: HireBridgeApp;
  readonly http: ReturnType<typeof supertest>;
  /** Every log line the app wrote, as text (JSON lines). */
  readonly logs: string[];
}

/** The Koa app over a test database, without a port; logs are captured for inspection. */
export function createTestApp(
  db: TestDatabase,
  options: {
    clock?: Clock;
    bodyLimitBytes?: number;
    devLogin?: boolean;
    readiness?: Parameters<typeof createApp>[0]['readiness'];
    secretsEnv?: Record<string, string>;
    jsapiSignerFor?: Parameters<typeof createApp>[0]['jsapiSignerFor'];
    publicUrl?: string;
    features?: ReturnType<TestDatabase['features']>;
    /** Take the client address from X-Forwarded-For (as behind a proxy with HB_TRUST_PROXY). */
    trustProxy?: boolean;
    /** Serve the built H5 mini-app under /h5. */
    h5Dir?: string;
  } = {},
): TestApp {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger({ level: 'trace', destination });
  const app = createApp({
    features: options.features ?? db.features(options.clock ?? fixedClock(new Date())),
    secretsEnv: options.secretsEnv ?? {},
    ...(options.jsapiSignerFor && { jsapiSignerFor: options.jsapiSignerFor, publicUrl: options.publicUrl ?? 'https://hire.example.com' }),
    ...(options.publicUrl && { publicUrl: options.publicUrl }),
    ...(options.h5Dir && { h5Dir: options.h5Dir }),
    log,
    devLogin: options.devLogin ?? false,
    http: { bodyLimitBytes: options.bodyLimitBytes ?? 256 * 1024, trustProxy: options.trustProxy ?? false },
    readiness: options.readiness ?? {
      check: async () => ({ database: (await db.ping().then(() => 'up' as const, () => 'down' as const)), migrations: 'applied', draining: false }),
    },
  });
  return { app, http: supertest(app.callback()), logs };
}
