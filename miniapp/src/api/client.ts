import Taro from '@tarojs/taro';

/**
 * The only way pages reach the server: JSON over HTTPS with the session token. Errors keep the server's stable code
 * and its message (Chinese first), so a page can show what went wrong and branch on the code.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sessionKey = 'hb.candidate.session';

export function sessionToken(): string | null {
  const value: unknown = Taro.getStorageSync(sessionKey);
  return typeof value === 'string' && value !== '' ? value : null;
}

export function saveSession(token: string): void {
  Taro.setStorageSync(sessionKey, token);
}

export function clearSession(): void {
  Taro.removeStorageSync(sessionKey);
}

/** How to get a new session when the server says the old one ended (set by the candidate module). */
let reauthenticate: (() => Promise<boolean>) | null = null;
export function onSessionEnded(fn: () => Promise<boolean>): void {
  reauthenticate = fn;
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  try {
    return await call<T>(method, path, body);
  } catch (error) {
    // A session ends after idling (or at its end): sign in again once, silently, the way the first one was made.
    if (error instanceof ApiError && error.status === 401 && !path.startsWith('/api/auth/') && reauthenticate && (await reauthenticate().catch(() => false))) {
      return call<T>(method, path, body);
    }
    throw error;
  }
}

async function call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const token = sessionToken();
  let response: Taro.request.SuccessCallbackResult<string | ArrayBuffer | Record<string, unknown>>;
  try {
    response = await Taro.request({
      url: `${HB_API_URL}${path}`,
      method,
      data: body === undefined ? undefined : JSON.stringify(body),
      header: { 'content-type': 'application/json', accept: 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      dataType: 'json',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', '网络不可用，请稍后重试。The network is unavailable; please try again.');
  }
  const data = response.data as { code?: string; message?: string } | undefined;
  if (response.statusCode >= 200 && response.statusCode < 300) return response.data as T;
  if (response.statusCode === 401) clearSession();
  throw new ApiError(response.statusCode, data?.code ?? 'HTTP_' + response.statusCode, data?.message ?? `请求失败（${response.statusCode}）Request failed`);
}

/** The message to show for anything thrown by `api` (or by a platform call). */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return '出了点问题，请稍后重试。Something went wrong; please try again.';
}
