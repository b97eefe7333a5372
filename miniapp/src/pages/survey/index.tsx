import { Button, Text, Textarea, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { messageOf } from '../../api/client';
import { candidateApi, ensureSession } from '../../api/candidate';
import { ErrorBox, Loading } from '../../components/ui';
import { useLoad } from '../../components/use-load';

const scale = Array.from({ length: 11 }, (_, i) => i);

/**
 * The pulse after an interview: one tap 0–10, then up to five short questions and a comment, all optional but the
 * score. Interviewers never see who wrote a comment; results appear only from five answers up.
 */
export default function SurveyPage() {
  const { params } = useRouter();
  const id = params.interview ?? params.id ?? '';
  const { data, error, loading, setError } = useLoad(async () => {
    await ensureSession(params.token ?? null);
    return candidateApi.survey(id);
  }, [id]);
  const [score, setScore] = useState<number | null>(null);
  const [answers, setAnswers] = useState<Record<string, number | string>>({});
  const [comment, setComment] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit() {
    if (score === null) {
      setError('请先选择一个分数。Please pick a score first.');
      return;
    }
    setBusy(true);
    try {
      await candidateApi.answerSurvey(id, { score, answers, comment: comment.trim() === '' ? null : comment.trim() });
      setSent(true);
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  const answered = sent || data?.status === 'answered';
  return (
    <View className='page'>
      <Text className='title'>面试体验问卷</Text>
      <Text className='en'>How was your interview?</Text>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {answered && <Text className='notice' id='thanks'>感谢您的反馈！Thank you for your feedback!</Text>}
      {data && !answered && (
        <View>
          <View className='card'>
            <Text>您有多大可能向朋友推荐来我们这里面试？（0 = 完全不会，10 = 非常愿意）</Text>
            <Text className='en'>How likely are you to recommend interviewing with us? (0–10)</Text>
            <View className='scale'>
              {scale.map((n) => (
                <View key={n} className={`scale-item ${score === n ? 'scale-on' : ''}`} id={`score-${n}`} onClick={() => setScore(n)}>
                  {n}
                </View>
              ))}
            </View>
          </View>
          {data.questions.map((q) => {
            const key = `q${q.position}`;
            return (
              <View key={key} className='card'>
                <Text>{q.text}</Text>
                {q.kind === 'rating' ? (
                  <View className='scale'>
                    {[1, 2, 3, 4, 5].map((n) => (
                      <View key={n} className={`scale-item ${answers[key] === n ? 'scale-on' : ''}`} onClick={() => setAnswers({ ...answers, [key]: n })}>
                        {n}
                      </View>
                    ))}
                  </View>
                ) : (
                  <Textarea className='textarea' value={String(answers[key] ?? '')} maxlength={500} onInput={(e) => setAnswers({ ...answers, [key]: e.detail.value })} />
                )}
              </View>
            );
          })}
          <View className='card'>
            <Text>还有什么想告诉我们的？（可选）</Text>
            <Text className='en'>Anything else? (optional)</Text>
            <Textarea className='textarea' id='comment' value={comment} maxlength={1000} onInput={(e) => setComment(e.detail.value)} />
          </View>
          <Button className='btn btn-primary' id='submit' disabled={busy} onClick={submit}>
            提交 Submit
          </Button>
        </View>
      )}
    </View>
  );
}
