export const dingtalkApiHost = 'https://api.dingtalk.com';
export const officialOapiHost = 'https://oapi.dingtalk.com';
export const officialLoginHost = 'https://login.dingtalk.com';


/**
 * The three DingTalk hosts for an app. `api_base_url` of a dingtalk_app names the new API; with the real host the
 * old API and the login page are on their own real hosts, otherwise (the simulator) everything is on that base.
 */
export function dingtalkHostsOf(apiBaseUrl: string): { api: string; oapi: string; login: string } {
  const base = new URL(apiBaseUrl);
  if (base.origin === dingtalkApiHost) return { api: dingtalkApiHost, oapi: officialOapiHost, login: officialLoginHost };
  const same = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  return { api: same, oapi: same, login: same };
}
