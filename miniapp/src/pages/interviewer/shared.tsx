import { Text, View } from '@tarojs/components';
import { go } from '../../components/ui';
import { HrReportsLink } from '../../components/hr-link';

export { asEmployee } from '../../components/employee-session';

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
