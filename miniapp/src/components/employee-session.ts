import Taro from '@tarojs/taro';
import { ApiError } from '../api/client';
import { employeeToken } from '../api/interviewer';

/** The employee sign-in page: one employee session serves the interviewer pages and the HR reports. */
export const signInPage = '/pages/interviewer/signin/index';

/**
 * Every employee page loads through this: without an employee session (or when the server says it ended) the
 * sign-in page opens, and comes back to this page afterwards. In the main package, so both subpackages can use it.
 */
export async function asEmployee<T>(load: () => Promise<T>): Promise<T> {
  if (!employeeToken()) {
    toSignIn();
    throw new ApiError(401, 'UNAUTHENTICATED', '请先登录。Please sign in first.');
  }
  try {
    return await load();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) toSignIn();
    throw error;
  }
}

/** Opens the sign-in page, which comes back to this very page with its parameters (Taro's own ones left out). */
export function toSignIn(): void {
  const router = Taro.getCurrentInstance().router;
  const path = router?.path.split('?')[0] ?? '';
  const params = Object.entries(router?.params ?? {}).filter(([k, v]) => !k.startsWith('$') && k !== 'stamp' && typeof v === 'string');
  const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`).join('&');
  const back = path ? `/${path.replace(/^\//, '')}${query ? `?${query}` : ''}` : '/pages/interviewer/today/index';
  void Taro.redirectTo({ url: `${signInPage}?next=${encodeURIComponent(back)}` });
}
