/**
 * What differs between the WeChat mini-program and the H5 page, in one place. Taro picks `name.weapp.ts` or
 * `name.h5.ts` at build time; this file is only the shared shape (and what TypeScript checks against).
 * On H5, Taro's stand-ins for login, subscriptions and the recorder *resolve with success* without doing anything,
 * so H5 code never calls them: it says plainly what it cannot do instead.
 */
export interface SignInResult {
  readonly token: string;
}

export interface SubscriptionOutcome {
  /** false when this platform cannot subscribe at all (H5): nothing was asked, nothing recorded. */
  readonly supported: boolean;
  readonly accepted: readonly string[];
}

export interface ScanOutcome {
  readonly code: string | null;
  /** Why there is no code (shown to the candidate). */
  readonly message?: string;
}
