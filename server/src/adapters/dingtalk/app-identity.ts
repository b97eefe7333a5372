import type { PlatformApp } from '../../features/platform';
import { resolveSecretRef } from '../platform/secret-ref';

/**
 * How a `dingtalk_app` row of platform_apps maps onto DingTalk's identifiers. The table has no app_key column, so:
 * - `corp_id`   → the organisation's corpId (dingxxxx);
 * - `agent_id`  → the app's AppKey (= Client ID: the stream gateway's clientId, the token API's appKey, the HTTP
 *                 callback's receive id, and the robotCode of the app's own robot, which DingTalk sets to the AppKey);
 * - `secret_ref` → where the AppSecret (= Client Secret) is read;
 * - `callback_token_ref` / `encoding_aes_key_ref` → the HTTP event subscription's token and aes_key (only when the
 *   app uses HTTP push instead of Stream mode);
 * - `api_base_url` → https://api.dingtalk.com (the simulator's URL in tests); the stream gateway is on the same host.
 * https://open.dingtalk.com/document/orgapp/basic-concepts-beta
 */
export interface DingtalkCredentials {
  readonly appId: string;
  readonly tenantId: string;
  readonly corpId: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly robotCode: string;
  readonly baseUrl: string;
}

export class DingtalkAppMisconfiguredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DingtalkAppMisconfiguredError';
  }
}

export function dingtalkAppKeyOf(app: PlatformApp): string {
  if (app.kind !== 'dingtalk_app') throw new DingtalkAppMisconfiguredError(`platform app ${app.id} is not a DingTalk app`);
  if (!app.agentId) throw new DingtalkAppMisconfiguredError(`DingTalk app ${app.id} has no AppKey (agent_id)`);
  return app.agentId;
}

/** Throws SecretUnavailableError when the secret reference cannot be read. */
export function dingtalkCredentialsOf(app: PlatformApp, env: Readonly<Record<string, string | undefined>>): DingtalkCredentials {
  const appKey = dingtalkAppKeyOf(app);
  return {
    appId: app.id,
    tenantId: app.tenantId,
    corpId: app.corpId,
    appKey,
    appSecret: resolveSecretRef(app.secretRef, { env, demoAllowed: app.tenantIsDemo }),
    robotCode: appKey,
    baseUrl: app.apiBaseUrl,
  };
}
