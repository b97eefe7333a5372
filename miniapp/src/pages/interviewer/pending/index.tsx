import { Button, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { messageOf } from '../../../api/client';
import { beijingTime, interviewerApi, scorecardStatusText, type PendingScorecard } from '../../../api/interviewer';
import { ErrorBox, go, Loading } from '../../../components/ui';
import { useLoad } from '../../../components/use-load';
import { asEmployee, InterviewerNav } from '../shared';

const pageSize = 20;
const overdueStyle = { background: '#fdecec', color: '#b42318' };

/**
 * Scorecards I still owe (GET /api/interviewer/pending-scorecards): my own panel seats (shadows do not score) on
 * interviews that ended — yesterday or weeks ago — without a submitted scorecard, most overdue first, with the deadline
 * in Beijing time and 已逾期 once it passed. A tap opens the scorecard.
 */
export default function PendingPage() {
  const { data, error, loading, setError } = useLoad(() => asEmployee(() => interviewerApi.pendingScorecards(pageSize)), []);
  const [more, setMore] = useState<{ items: PendingScorecard[]; nextCursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // A reload (coming back from a scorecard) starts again from the first page.
  useEffect(() => setMore(null), [data]);
  const items = [...(data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : (data?.nextCursor ?? null);

  const loadMore = async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await asEmployee(() => interviewerApi.pendingScorecards(pageSize, nextCursor));
      setMore({ items: [...(more?.items ?? []), ...page.items], nextCursor: page.nextCursor });
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <View className='page'>
      <Text className='title'>待交评分卡</Text>
      <Text className='en'>Scorecards to submit</Text>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {data && items.length === 0 && <Text className='notice' id='none-pending'>没有待交的评分卡。Nothing to submit.</Text>}
      {items.map((i) => (
        <View key={i.interviewId} className='card interview-item' id={`pending-${i.interviewId}`} onClick={() => go(`/pages/interviewer/scorecard/index?id=${i.interviewId}`)}>
          <Text className='title'>{i.candidateName} · {i.jobTitle}</Text>
          <Text className='subtitle'>
            {i.roundName}
            <Text className='status status-warn'>{scorecardStatusText[i.scorecardStatus]}</Text>
            {i.overdue && <Text className='status overdue' style={overdueStyle}>已逾期 Overdue</Text>}
          </Text>
          <Text className='muted due'>截止 {beijingTime(i.dueAt)}（北京时间）Due</Text>
          <Text className='muted'>结束于 {beijingTime(i.endsAt)}（北京时间）Ended</Text>
          {i.nudgesSent > 0 && <Text className='muted nudges'>已提醒 {i.nudgesSent} 次 Reminded {i.nudgesSent}×</Text>}
        </View>
      ))}
      {nextCursor && (
        <Button className='btn btn-plain' id='more-pending' loading={loadingMore} disabled={loadingMore} onClick={() => void loadMore()}>
          加载更多 Load more
        </Button>
      )}
      <InterviewerNav />
    </View>
  );
}
