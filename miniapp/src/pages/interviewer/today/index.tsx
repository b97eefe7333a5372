import { Text, View } from '@tarojs/components';
import { beijingTime, interviewerApi, modeText, roleText, scorecardStatusText } from '../../../api/interviewer';
import { ErrorBox, go, Loading } from '../../../components/ui';
import { useLoad } from '../../../components/use-load';
import { asEmployee, InterviewerNav } from '../shared';

/** Today's interviews first, then the coming week; a tap opens the kit. Times in Beijing time. */
export default function TodayPage() {
  const { data, error, loading } = useLoad(() => asEmployee(() => interviewerApi.today(7)), []);
  const today = data?.items.filter((i) => i.today) ?? [];
  const later = data?.items.filter((i) => !i.today) ?? [];
  const card = (i: NonNullable<typeof data>['items'][number]) => (
    <View key={i.id} className='card interview-item' id={`interview-${i.id}`} onClick={() => go(`/pages/interviewer/kit/index?id=${i.id}`)}>
      <Text className='title'>{i.candidateName} · {i.jobTitle}</Text>
      <Text className='subtitle'>
        {i.roundName} · {modeText[i.mode]} · {roleText[i.myRole]}
        <Text className={`status ${i.scorecardStatus === 'submitted' ? 'status-ok' : ''}`}>{scorecardStatusText[i.scorecardStatus]}</Text>
      </Text>
      <Text className='muted'>{beijingTime(i.startsAt)}（北京时间）{i.location ? ` · ${i.location}` : ''}</Text>
    </View>
  );
  return (
    <View className='page'>
      <Text className='title'>今日面试</Text>
      <Text className='en'>Today’s interviews</Text>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {data && today.length === 0 && <Text className='notice'>今天没有面试。No interviews today.</Text>}
      <View id='today-list'>{today.map(card)}</View>
      {later.length > 0 && <Text className='subtitle'>接下来 7 天 Coming up</Text>}
      {later.map(card)}
      <InterviewerNav />
    </View>
  );
}
