import { Text, View } from '@tarojs/components';
import { beijingTime, interviewerApi, scorecardStatusText } from '../../../api/interviewer';
import { ErrorBox, go, Loading } from '../../../components/ui';
import { useLoad } from '../../../components/use-load';
import { asEmployee, InterviewerNav } from '../shared';

/** My interviews that have ended without a submitted scorecard (shadows do not score); a tap opens the scorecard. */
export default function PendingPage() {
  const { data, error, loading } = useLoad(
    () => asEmployee(async () => {
      const now = Date.now();
      const { items } = await interviewerApi.today(7);
      return items.filter((i) => i.myRole !== 'shadow' && i.scorecardStatus !== 'submitted' && i.endsAt !== null && new Date(i.endsAt).getTime() <= now);
    }),
    [],
  );
  return (
    <View className='page'>
      <Text className='title'>待交评分卡</Text>
      <Text className='en'>Scorecards to submit</Text>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {data && data.length === 0 && <Text className='notice' id='none-pending'>没有待交的评分卡。Nothing to submit.</Text>}
      {data?.map((i) => (
        <View key={i.id} className='card interview-item' id={`pending-${i.id}`} onClick={() => go(`/pages/interviewer/scorecard/index?id=${i.id}`)}>
          <Text className='title'>{i.candidateName} · {i.jobTitle}</Text>
          <Text className='subtitle'>
            {i.roundName}
            <Text className='status status-warn'>{scorecardStatusText[i.scorecardStatus]}</Text>
          </Text>
          <Text className='muted'>结束于 {beijingTime(i.endsAt)}（北京时间）Ended</Text>
        </View>
      ))}
      <InterviewerNav />
    </View>
  );
}
