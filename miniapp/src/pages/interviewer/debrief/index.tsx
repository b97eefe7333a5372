import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { beijingTime, clockOf, interviewerApi, recommendationText } from '../../../api/interviewer';
import { ErrorBox, Loading } from '../../../components/ui';
import { useLoad } from '../../../components/use-load';
import { asEmployee, InterviewerNav } from '../shared';

const statusText = { none: '未开始', draft: '草稿', submitted: '已提交' } as const;
const decisionText = { advance: '进入下一轮', hire: '录用', reject: '不通过', hold: '待定' } as const;

/**
 * The debrief: the panel's recommendations and every rating with its evidence, disagreements (2 levels or more)
 * marked. The server shows it to a panelist only after their own scorecard is submitted (independence).
 */
export default function DebriefPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const { data, error, loading } = useLoad(() => asEmployee(() => interviewerApi.debrief(id)), [id]);
  const evidence = new Map(data?.evidence.map((e) => [e.id, e]) ?? []);
  return (
    <View className='page'>
      <Text className='title'>面评汇总</Text>
      <Text className='en'>Debrief</Text>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {data && (
        <View>
          <View className='card' id='panel'>
            <Text className='subtitle'>{data.candidateName} · {data.jobTitle} · {data.roundName}</Text>
            {data.panel.map((p) => (
              <Text key={p.interviewerId} className='panel-row'>
                {p.name}：{statusText[p.status]}
                {p.recommendation && p.recommendation !== 'no_decision' ? ` · ${recommendationText[p.recommendation]}` : ''}
              </Text>
            ))}
          </View>
          {data.competencies.map((c) => (
            <View key={c.competencyId} className='card competency' id={`debrief-${c.competencyId}`}>
              <Text className='subtitle'>
                {c.name}
                {c.disagreement && <Text className='status status-warn'>分歧 {c.spread} 级 Disagreement</Text>}
              </Text>
              {c.ratings.map((r) => (
                <View key={r.interviewerId} className='rating'>
                  <Text>{r.name}：{r.level} 级{r.note ? ` · ${r.note}` : ''}</Text>
                  {r.evidenceSegmentIds.map((s) => evidence.get(s)).filter((e) => e !== undefined).map((e) => (
                    <Text key={e.id} className='muted'>“{e.text}”（{clockOf(e.startedMs)}）</Text>
                  ))}
                </View>
              ))}
            </View>
          ))}
          {data.decisions.map((d) => (
            <Text key={d.id} className='notice'>决定：{decisionText[d.decision]}（{d.decidedByName}，{beijingTime(d.createdAt)}）{d.reason}</Text>
          ))}
        </View>
      )}
      <InterviewerNav interviewId={id} />
    </View>
  );
}
