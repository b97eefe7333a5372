import { sql } from 'kysely';
import type { Clock } from '../../ports/clock';
import type { Db } from './database';

export interface FetchedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

export type TokenFetcher = () => Promise<FetchedToken>;

/**
 * Access tokens shared by every instance through PostgreSQL. WeCom rate-limits gettoken and may invalidate a token
 * early, so: one refresh at a time per app across the cluster (an advisory lock; whoever waited re-reads the fresh
 * token instead of fetching again), one in-flight refresh per app inside this process (so waiters do not each hold
 * a pooled connection on the lock), and a memory copy so that an API call costs no database read.
 * https://developer.work.weixin.qq.com/document/path/91039
 */
export type TokenPurpose = 'access_token' | 'jsapi_corp' | 'jsapi_agent';

export interface TokenCache {
  current(appId: string, fetch: TokenFetcher, purpose?: TokenPurpose): Promise<string>;
  /** After 40014/42001: replace `invalid` unless another caller already has. */
  replace(appId: string, invalid: string, fetch: TokenFetcher, purpose?: TokenPurpose): Promise<string>;
}

/** Refresh this long before the platform's expiry, so no call goes out with a token about to die. */
const marginMs = 5 * 60 * 1000;

export function postgresTokenCache(db: Db, clock: Clock): TokenCache {
  const memory = new Map<string, { token: string; expiresAt: number }>();
  const inFlight = new Map<string, Promise<string>>();
  const usable = (expiresAt: number) => expiresAt - marginMs > clock.now().getTime();

  function refresh(appId: string, purpose: TokenPurpose, invalid: string | undefined, fetch: TokenFetcher): Promise<string> {
    const key = `${appId}:${purpose}`;
    const running = inFlight.get(key);
    if (running) return running;
    const work = db
      .transaction()
      .execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtextextended(${`hirebridge.token:${key}`}, 0))`.execute(trx);
        const stored = await trx.selectFrom('platform_tokens').selectAll().where('app_id', '=', appId).where('purpose', '=', purpose).executeTakeFirst();
        if (stored && stored.access_token !== invalid && usable(stored.expires_at.getTime())) {
          return { token: stored.access_token, expiresAt: stored.expires_at.getTime() };
        }
        const fetched = await fetch();
        const now = clock.now();
        const expiresAt = new Date(now.getTime() + fetched.expiresInSeconds * 1000);
        await trx
          .insertInto('platform_tokens')
          .values({ app_id: appId, purpose, access_token: fetched.accessToken, expires_at: expiresAt, fetched_at: now })
          .onConflict((oc) => oc.columns(['app_id', 'purpose']).doUpdateSet({ access_token: fetched.accessToken, expires_at: expiresAt, fetched_at: now }))
          .execute();
        return { token: fetched.accessToken, expiresAt: expiresAt.getTime() };
      })
      .then((fresh) => {
        memory.set(key, fresh);
        return fresh.token;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, work);
    return work;
  }

  return {
    async current(appId, fetch, purpose = 'access_token') {
      const known = memory.get(`${appId}:${purpose}`);
      if (known && usable(known.expiresAt)) return known.token;
      return refresh(appId, purpose, undefined, fetch);
    },
    async replace(appId, invalid, fetch, purpose = 'access_token') {
      const known = memory.get(`${appId}:${purpose}`);
      if (known && known.token !== invalid && usable(known.expiresAt)) return known.token;
      memory.delete(`${appId}:${purpose}`);
      return refresh(appId, purpose, invalid, fetch);
    },
  };
}
