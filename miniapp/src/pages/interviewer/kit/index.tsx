import { Button, Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { beijingTime, interviewerApi } from '../../../api/interviewer';
import { ErrorBox, go, Loading } from '../../../components/ui';
import { useLoad } from '../../../components/use-load';
import { asEmployee, InterviewerNav } from '../shared';

/**
 * The kit: per competency its questions with follow-ups, whether it is this interviewer's focus, and the rubric per
 * level; then the brief, with the candidate's data masked by the server.
 */
export default function KitPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const { data, error, loading } = useLoad(
    () => asEmployee(async () => {
      const [kit, brief] = await Promise.all([interviewerApi.kit(id), interviewerApi.brief(id)]);
      return { kit, brief };
    }),
    [id],
  );
  const kit = data?.kit;
  const brief = data?.brief;
  return (
    <View className='page'>
      <Text className='title'>面试包</Text>
      <Text className='en'>Interview kit</Text>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {kit && (
        <View>
          <View className='card' id='kit-header'>
            <Text className='title'>{kit.candidateName} · {kit.jobTitle}</Text>
            <Text className='subtitle'>{kit.roundName} · {beijingTime(kit.startsAt)}（北京时间）</Text>
            <Button className='btn btn-primary' id='open-notes' onClick={() => go(`/pages/interviewer/notes/index?id=${id}`)}>开始记录 Take notes</Button>
            <Button className='btn btn-plain' id='open-scorecard' onClick={() => go(`/pages/interviewer/scorecard/index?id=${id}`)}>评分卡 Scorecard</Button>
            <Button className='btn btn-plain' id='open-debrief' onClick={() => go(`/pages/interviewer/debrief/index?id=${id}`)}>面评汇总 Debrief</Button>
          </View>
          {kit.competencies.map((c) => (
            <View key={c.id} className={`card competency ${c.focus ? 'competency-focus' : ''}`} id={`competency-${c.id}`}>
              <Text className='subtitle'>
                {c.name}（权重 {c.weight}%）
                {c.focus && <Text className='status status-ok focus-tag'>我负责考察 My focus</Text>}
              </Text>
              {c.description !== '' && <Text className='muted'>{c.description}</Text>}
              {c.questions.map((q) => (
                <View key={q.id} className='question'>
                  <Text className='question-text'>问：{q.text}</Text>
                  {q.followUps.map((f) => <Text key={f} className='muted follow-up'>追问：{f}</Text>)}
                </View>
              ))}
              <View className='rubric'>
                {c.rubric.map((r) => (
                  <Text key={r.level} className='rubric-level'>
                    {r.level} 级 {r.label}：{r.description}
                  </Text>
                ))}
              </View>
            </View>
          ))}
        </View>
      )}
      {brief && (
        <View className='card' id='brief'>
          <Text className='subtitle'>候选人简介（已脱敏）Candidate brief (masked)</Text>
          {brief.highlights.length === 0 && <Text className='muted'>简历中没有与能力项匹配的内容。Nothing in the résumé matched a competency.</Text>}
          {brief.highlights.map((h, n) => (
            <View key={n} className='highlight'>
              <Text className='label'>{h.competency}</Text>
              <Text>{h.excerpt}</Text>
            </View>
          ))}
          <Text className='muted'>{brief.note}</Text>
        </View>
      )}
      <InterviewerNav interviewId={id} />
    </View>
  );
}
