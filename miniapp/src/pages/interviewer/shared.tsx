import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { ApiError } from '../../api/client';
import { employeeToken } from '../../api/interviewer';
import { go } from '../../components/ui';
import { HrReportsLink } from '../../components/hr-link';

export const signInPage = '/pages/interviewer/signin/index';

/**
 * Every interviewer page loads through this: without an employee session (or when the server says it ended) the
 * sign-in page opens, and comes back here afterwards.
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

function toSignIn(): void {
  // Back to this very page afterwards, with its parameters (Taro's own bookkeeping ones left out).
  const router = Taro.getCurrentInstance().router;
  const path = router?.path.split('?')[0] ?? '';
  const params = Object.entries(router?.params ?? {}).filter(([k, v]) => !k.startsWith('$') && k !== 'stamp' && typeof v === 'string');
  const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`).join('&');
  const back = path ? `/${path.replace(/^\//, '')}${query ? `?${query}` : ''}` : '/pages/interviewer/today/index';
  void Taro.redirectTo({ url: `${signInPage}?next=${encodeURIComponent(back)}` });
}

export function InterviewerNav({ interviewId }: { interviewId?: string }) {
  return (
    <View className='nav'>
      <Text className='nav-link' onClick={() => go('/pages/interviewer/today/index')}>今日面试</Text>
      {interviewId && <Text className='nav-link' onClick={() => go(`/pages/interviewer/kit/index?id=${interviewId}`)}>面试包</Text>}
      {interviewId && <Text className='nav-link' onClick={() => go(`/pages/interviewer/notes/index?id=${interviewId}`)}>笔记</Text>}
      {interviewId && <Text className='nav-link' onClick={() => go(`/pages/interviewer/scorecard/index?id=${interviewId}`)}>评分卡</Text>}
      <Text className='nav-link' onClick={() => go('/pages/interviewer/pending/index')}>待交评分</Text>
      <HrReportsLink />
    </View>
  );
}
