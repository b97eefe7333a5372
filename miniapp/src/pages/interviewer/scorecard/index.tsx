import { Button, Text, Textarea, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { messageOf } from '../../../api/client';
import { beijingTime, clockOf, type DraftItem, interviewerApi, type RatingInput, type Recommendation, recommendationText } from '../../../api/interviewer';
import { ErrorBox, go, Loading } from '../../../components/ui';
import { useLoad } from '../../../components/use-load';
import { asEmployee, InterviewerNav } from '../shared';

const recommendations = ['strong_no', 'no', 'yes', 'strong_yes'] as const;

/**
 * The scorecard: per competency a forced choice of four levels with the rubric text, and evidence (transcript
 * segments, typed notes or a written note — the server refuses a rating without); the overall recommendation; the
 * AI draft per competency to accept or edit. Nothing is ever submitted without the interviewer's tap on 提交.
 */
export default function ScorecardPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const [ratings, setRatings] = useState<Record<string, RatingInput>>({});
  const [recommendation, setRecommendation] = useState<Recommendation | null>(null);
  const [summary, setSummary] = useState('');
  const [drafts, setDrafts] = useState<DraftItem[]>([]);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const { data, error, loading, setError } = useLoad(
    () => asEmployee(async () => {
      const [mine, kit, notes] = await Promise.all([interviewerApi.myScorecard(id), interviewerApi.kit(id), interviewerApi.notes(id)]);
      const card = mine.scorecard;
      if (card) {
        setRatings(Object.fromEntries(card.ratings.map((r) => [r.competencyId, { ...r, evidenceSegmentIds: [...r.evidenceSegmentIds], evidenceNoteIds: [...r.evidenceNoteIds] }])));
        setRecommendation(card.recommendation);
        setSummary(card.summary);
      }
      setDrafts(mine.draftItems);
      return { mine, kit, notes };
    }),
    [id],
  );

  const blank = (competencyId: string): RatingInput => ({ competencyId, level: 0, note: '', evidenceSegmentIds: [], evidenceNoteIds: [] });
  const rating = (competencyId: string): RatingInput => ratings[competencyId] ?? blank(competencyId);
  const update = (competencyId: string, change: Partial<RatingInput>) =>
    setRatings((all) => ({ ...all, [competencyId]: { ...(all[competencyId] ?? blank(competencyId)), ...change } }));
  const toggle = (list: string[], value: string) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);

  function body() {
    return { recommendation, summary: summary.trim(), ratings: Object.values(ratings).filter((r) => r.level >= 1) };
  }
  async function run(action: () => Promise<void>) {
    setBusy(true);
    try {
      await action();
      setError(null);
    } catch (e) {
      setError(messageOf(e));
      setSaved(null);
    } finally {
      setBusy(false);
    }
  }
  const save = () => run(async () => {
    const card = await interviewerApi.saveScorecard(id, body());
    setSaved(`已保存（第 ${card.version} 版）Saved (version ${card.version})`);
  });
  const submit = () => run(async () => {
    if (!recommendation) throw new Error('请选择总体建议。Choose an overall recommendation.');
    const required = data?.mine.requiredCompetencyIds ?? [];
    const missing = data?.kit.competencies.filter((c) => required.includes(c.id) && !(rating(c.id).level >= 1)) ?? [];
    if (missing.length > 0) throw new Error(`请为以下能力评分：${missing.map((c) => c.name).join('、')}。Rate every competency first.`);
    const noEvidence = data?.kit.competencies.filter((c) => {
      const r = rating(c.id);
      return r.level >= 1 && r.evidenceSegmentIds.length === 0 && r.evidenceNoteIds.length === 0 && r.note.trim() === '';
    }) ?? [];
    if (noEvidence.length > 0) throw new Error(`请为以下能力选择证据（转写片段或笔记）：${noEvidence.map((c) => c.name).join('、')}。Each rating needs evidence.`);
    const card = data?.mine.scorecard?.status === 'submitted' ? await interviewerApi.saveScorecard(id, body()) : await interviewerApi.submitScorecard(id, body());
    setSaved(`已提交（第 ${card.version} 版）Submitted (version ${card.version})`);
  });
  const draft = () => run(async () => setDrafts((await interviewerApi.draft(id)).items));
  const decide = (item: DraftItem, action: 'accept' | 'edit' | 'dismiss') => run(async () => {
    const current = rating(item.competencyId);
    const level = action === 'edit' && current.level >= 1 ? current.level : item.suggestedLevel;
    const decided = await interviewerApi.decideDraft(id, item.id, action === 'edit' ? { action, level, note: current.note } : { action });
    setDrafts((all) => all.map((d) => (d.id === item.id ? decided : d)));
    if (action !== 'dismiss') {
      update(item.competencyId, {
        level,
        note: current.note !== '' ? current.note : item.rationale,
        evidenceSegmentIds: [...new Set([...current.evidenceSegmentIds, ...item.segmentIds])],
      });
    }
  });

  const mine = data?.mine;
  const kit = data?.kit;
  const notes = data?.notes;
  const submitted = mine?.scorecard?.status === 'submitted' || saved?.startsWith('已提交') === true;
  return (
    <View className='page'>
      <Text className='title'>评分卡</Text>
      <Text className='en'>Scorecard</Text>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {saved && <Text className='notice' id='saved'>{saved}</Text>}
      {mine && !mine.canScore && <Text className='notice' id='cannot-score'>面试开始后才能评分，旁听者不评分。Scoring opens once the interview has started; shadows do not score.</Text>}
      {mine?.dueAt && <Text className='muted'>请在 {beijingTime(mine.dueAt)}（北京时间）前提交。Due by then (Beijing time).</Text>}
      {submitted && <Button className='btn btn-plain' id='open-debrief' onClick={() => go(`/pages/interviewer/debrief/index?id=${id}`)}>查看面评汇总 Debrief</Button>}
      {kit && mine?.canScore && (
        <View>
          <Button className='btn btn-plain' id='make-draft' disabled={busy} onClick={() => void draft()}>根据转写生成草稿 Draft from the transcript</Button>
          {kit.competencies.map((c) => {
            const r = rating(c.id);
            const items = drafts.filter((d) => d.competencyId === c.id && d.status !== 'superseded');
            return (
              <View key={c.id} className='card competency' id={`rate-${c.id}`}>
                <Text className='subtitle'>{c.name}{mine.requiredCompetencyIds.includes(c.id) ? '（必评 required）' : ''}</Text>
                <View className='levels'>
                  {c.rubric.map((level) => (
                    <View key={level.level} className={`level ${r.level === level.level ? 'level-on' : ''}`} id={`level-${c.id}-${level.level}`} onClick={() => update(c.id, { level: level.level })}>
                      <Text className='level-title'>{level.level} · {level.label}</Text>
                      <Text className='muted'>{level.description}</Text>
                    </View>
                  ))}
                </View>
                {items.map((item) => (
                  <View key={item.id} className='draft-item' id={`draft-${item.id}`}>
                    <Text className='label'>AI 草稿 Draft（仅供参考，需您确认）：建议 {item.suggestedLevel} 级</Text>
                    <Text className='muted'>{item.rationale}</Text>
                    {item.status === 'proposed' ? (
                      <View className='segment-actions'>
                        <Text className='nav-link draft-accept' onClick={() => void decide(item, 'accept')}>采纳 Accept</Text>
                        <Text className='nav-link draft-edit' onClick={() => void decide(item, 'edit')}>按我的评分修改 Edit</Text>
                        <Text className='nav-link draft-dismiss' onClick={() => void decide(item, 'dismiss')}>忽略 Dismiss</Text>
                      </View>
                    ) : (
                      <Text className='status'>{({ accepted: '已采纳', edited: '已修改', dismissed: '已忽略' } as Record<string, string>)[item.status] ?? item.status}</Text>
                    )}
                  </View>
                ))}
                <Text className='label'>证据 Evidence（至少一条）</Text>
                {notes?.segments.map((s) => (
                  <View key={s.id} className={`check evidence ${r.evidenceSegmentIds.includes(s.id) ? 'check-on' : ''}`} id={`evidence-${c.id}-${s.id}`} onClick={() => update(c.id, { evidenceSegmentIds: toggle(r.evidenceSegmentIds, s.id) })}>
                    <Text className='check-box'>{r.evidenceSegmentIds.includes(s.id) ? '☑' : '☐'}</Text>
                    <Text>{clockOf(s.startedMs)}{s.starred ? ' ★' : ''} {s.text}</Text>
                  </View>
                ))}
                {notes?.notes.map((n) => (
                  <View key={n.id} className={`check evidence ${r.evidenceNoteIds.includes(n.id) ? 'check-on' : ''}`} id={`evidence-${c.id}-${n.id}`} onClick={() => update(c.id, { evidenceNoteIds: toggle(r.evidenceNoteIds, n.id) })}>
                    <Text className='check-box'>{r.evidenceNoteIds.includes(n.id) ? '☑' : '☐'}</Text>
                    <Text>笔记 {n.text}</Text>
                  </View>
                ))}
                <Textarea className='textarea' id={`note-${c.id}`} value={r.note} maxlength={2000} placeholder='或写下依据 Or write the evidence' onInput={(e) => update(c.id, { note: e.detail.value })} />
              </View>
            );
          })}
          <View className='card' id='recommendation'>
            <Text className='subtitle'>总体建议 Overall recommendation</Text>
            <View className='scale'>
              {recommendations.map((value) => (
                <View key={value} className={`scale-item recommendation ${recommendation === value ? 'scale-on' : ''}`} id={`recommend-${value}`} onClick={() => setRecommendation(value)}>
                  {recommendationText[value]}
                </View>
              ))}
            </View>
            <Textarea className='textarea' id='summary' value={summary} maxlength={4000} placeholder='总结（可选）Summary (optional)' onInput={(e) => setSummary(e.detail.value)} />
          </View>
          <Button className='btn btn-plain' id='save-scorecard' disabled={busy} onClick={() => void save()}>保存草稿 Save draft</Button>
          <Button className='btn btn-primary' id='submit-scorecard' disabled={busy} onClick={() => void submit()}>{submitted ? '保存修改（新版本）Save changes' : '提交 Submit'}</Button>
        </View>
      )}
      <InterviewerNav interviewId={id} />
    </View>
  );
}
