import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import { WecomApiError, errcodes } from './errors';

/** What a token may do: it belongs to the secret that fetched it. */
export type Grant =
  | { readonly kind: 'app'; readonly agentId: number }
  | { readonly kind: 'contacts' }
  /** 微信客服 secret: only the /cgi-bin/kf/* endpoints (src/wechat/kf-api.ts) accept it. */
  | { readonly kind: 'kf' };

export interface TokenRecord {
  readonly token: string;
  readonly corpId: string;
  readonly grant: Grant;
  readonly issuedAtMs: number;
  invalidated: boolean;
}

// https://developer.work.weixin.qq.com/document/path/91039 : expires_in is 7200 s; within that time a repeated
// gettoken returns the same token, afterwards a new one.
export const tokenLifetimeSeconds = 7200;

export class TokenStore {
  private readonly byToken = new Map<string, TokenRecord>();
  /** The live token of each secret, keyed by `corpId\0secret`. */
  private readonly bySecret = new Map<string, TokenRecord>();

  constructor(private readonly clock: Clock) {}

  issue(corpId: string, secret: string, grant: Grant): TokenRecord {
    const key = `${corpId}\0${secret}`;
    const live = this.bySecret.get(key);
    if (live && !live.invalidated && !this.expired(live)) return live;
    const record: TokenRecord = {
      token: randomBytes(96).toString('base64url'),
      corpId,
      grant,
      issuedAtMs: this.clock.now().getTime(),
      invalidated: false,
    };
    this.byToken.set(record.token, record);
    this.bySecret.set(key, record);
    return record;
  }

  /** Resolves `access_token` of a request or throws the errcode WeCom answers. */
  check(token: string | undefined): TokenRecord {
    if (!token) throw new WecomApiError(errcodes.accessTokenMissing);
    const record = this.byToken.get(token);
    if (!record || record.invalidated) throw new WecomApiError(errcodes.invalidAccessToken);
    if (this.expired(record)) throw new WecomApiError(errcodes.accessTokenExpired);
    return record;
  }

  /** WeCom may revoke tokens before expires_in (e.g. after a secret reset); clients must refetch on 40014. */
  invalidate(corpId: string): number {
    let count = 0;
    for (const record of this.byToken.values()) {
      if (record.corpId === corpId && !record.invalidated) {
        record.invalidated = true;
        count += 1;
      }
    }
    return count;
  }

  private expired(record: TokenRecord): boolean {
    return this.clock.now().getTime() >= record.issuedAtMs + tokenLifetimeSeconds * 1000;
  }
}
