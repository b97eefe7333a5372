import { Button, Input, Text, Textarea, View } from '@tarojs/components';
import { useRouter, useUnload } from '@tarojs/taro';
import { useRef, useState } from 'react';
import { messageOf } from '../../../api/client';
import { clockOf, employeeToken, interviewerApi, type Prompts, starText } from '../../../api/interviewer';
import { ErrorBox, Loading } from '../../../components/ui';
import { useLoad } from '../../../components/use-load';
import { LiveNotesStream, type LiveMessage, type LiveState } from '../../../platform/live-socket';
import { createRecorder, type PcmRecorder } from '../../../platform/recorder';
import { asEmployee, InterviewerNav } from '../shared';

const liveStateText: Record<LiveState, string> = {
  connecting: '正在连接… Connecting…',
  live: '录音中 Recording',
  reconnecting: '网络中断，正在重连（录音保留在手机上）Reconnecting; audio is kept on the phone',
  closed: '已停止 Stopped',
};

type PromptView = Pick<Prompts, 'missing' | 'probe' | 'quantified' | 'followUps' | 'coverage'>;

/**
 * Live notes: mark the question being asked, type notes, star or correct transcript segments, and see the
 * rule-based prompts (missing STAR parts with a probe, figures, coverage). Audio is recorded only when the candidate
 * consented (the kit says `live`); otherwise typed notes only, with the reason.
 */
export default function NotesPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const origin = useRef(Date.now());
  const { data, error, loading, reload, setError } = useLoad(
    () => asEmployee(async () => {
      const [kit, notes] = await Promise.all([interviewerApi.kit(id), interviewerApi.notes(id)]);
      return { kit, notes };
    }),
    [id],
  );
  const [question, setQuestion] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [prompts, setPrompts] = useState<PromptView | null>(null);
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [live, setLive] = useState<LiveState | null>(null);
  const [partial, setPartial] = useState('');
  const stream = useRef<LiveNotesStream | null>(null);
  const recorder = useRef<PcmRecorder | null>(null);

  const atMs = () => Math.min(86_400_000, Date.now() - origin.current);
  async function act(action: () => Promise<unknown>) {
    setBusy(true);
    try {
      await action();
      setError(null);
      await reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  const markQuestion = (questionId: string) => act(async () => {
    await interviewerApi.markQuestion(id, questionId, atMs());
    setQuestion(questionId);
  });
  const saveNote = () => act(async () => {
    const text = note.trim();
    if (text === '') throw new Error('请先输入笔记。Type a note first.');
    await interviewerApi.addNote(id, text, atMs());
    setNote('');
    setPrompts(await interviewerApi.prompts(id, text, question ?? undefined));
  });
  const saveCorrection = () => act(async () => {
    if (!editing) return;
    await interviewerApi.correctSegment(id, editing.id, editing.text);
    setEditing(null);
  });

  function onLive(message: LiveMessage) {
    if (message.type === 'partial') setPartial(message.text);
    else if (message.type === 'final') {
      setPartial('');
      void reload();
    } else if (message.type === 'prompt') setPrompts(message as unknown as PromptView);
    else if (message.type === 'error') setError(message.message);
    else if (message.type === 'gap') setError('有一段音频未能送达，转写可能缺一小段。Some audio did not arrive; the transcript may miss a moment.');
  }
  async function startRecording() {
    const token = employeeToken();
    if (!token) return;
    setError(null);
    const s = new LiveNotesStream(id, token, { onMessage: onLive, onState: setLive });
    const r = createRecorder();
    try {
      await s.connect();
      await r.start((pcm) => s.push(pcm), (message, stopped) => {
        setError(message);
        // The microphone is gone for good: what was recorded is still delivered, then the stream ends.
        if (stopped && recorder.current === r) {
          recorder.current = null;
          stream.current = null;
          s.end();
        }
      });
      stream.current = s;
      recorder.current = r;
    } catch (e) {
      s.close();
      setLive(null);
      setError(messageOf(e));
    }
  }
  async function stopRecording() {
    await recorder.current?.stop();
    stream.current?.end();
    recorder.current = null;
  }
  useUnload(() => {
    // Leaving the page: the recorder hands over its last frame before the stream is finished.
    const r = recorder.current;
    const s = stream.current;
    recorder.current = null;
    stream.current = null;
    void (r ? r.stop() : Promise.resolve()).then(() => s?.end());
  });

  const kit = data?.kit;
  const notes = data?.notes;
  const coverage = prompts?.coverage ?? notes?.coverage ?? [];
  const covered = coverage.filter((c) => c.covered).length;
  const recording = live !== null && live !== 'closed';
  return (
    <View className='page'>
      <Text className='title'>面试笔记</Text>
      <Text className='en'>Interview notes</Text>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {kit && (
        <View className='card' id='recording'>
          <Text className='subtitle'>{kit.candidateName} · {kit.roundName}</Text>
          {kit.notesMode === 'live' ? (
            <View>
              {!recording && <Button className='btn btn-primary' id='start-recording' onClick={() => void startRecording()}>开始录音 Start recording</Button>}
              {recording && <Button className='btn btn-danger' id='stop-recording' onClick={() => void stopRecording()}>停止录音 Stop recording</Button>}
              {live && <Text className='status' id='live-state'>{liveStateText[live]}</Text>}
              {partial !== '' && <Text className='muted partial' id='partial'>{partial}</Text>}
            </View>
          ) : (
            <Text className='notice' id='typed-only'>仅文字笔记，不录音。Typed notes only, no recording.{kit.notesModeReason ? ` ${kit.notesModeReason}` : ''}</Text>
          )}
        </View>
      )}
      {coverage.length > 0 && (
        <View className='card' id='coverage'>
          <Text className='subtitle'>能力覆盖 {covered}/{coverage.length} Coverage</Text>
          <View className='meter'><View className='meter-fill' style={{ width: `${Math.round((covered / coverage.length) * 100)}%` }} /></View>
          {coverage.map((c) => (
            <Text key={c.competencyId} className={`coverage-item ${c.covered ? 'status-ok' : 'status-warn'}`}>
              {c.covered ? '✓' : '○'} {c.name}（证据 {c.evidenceCount} 条）
            </Text>
          ))}
        </View>
      )}
      {prompts && (
        <View className='card' id='prompts'>
          <Text className='subtitle'>追问提示 Prompts</Text>
          {prompts.missing.length > 0 ? (
            <Text className='status-warn' id='missing'>缺少：{prompts.missing.map((m) => starText[m]).join('、')}</Text>
          ) : (
            <Text className='status-ok' id='missing'>STAR 四要素齐全 All four STAR parts are there</Text>
          )}
          {prompts.probe && <Text id='probe'>建议追问 Suggested probe：{prompts.probe}</Text>}
          {prompts.quantified.map((q) => <Text key={q.text} className='muted'>数据：{q.text}</Text>)}
          {prompts.followUps.map((f) => <Text key={f.questionId + f.text} className='muted'>可追问：{f.text}</Text>)}
        </View>
      )}
      <View className='card' id='typed-note'>
        <Text className='subtitle'>文字笔记 Typed note</Text>
        <Textarea className='textarea' id='note-input' value={note} maxlength={4000} placeholder='记录候选人的回答… What the candidate said…' onInput={(e) => setNote(e.detail.value)} />
        <Button className='btn btn-primary' id='save-note' disabled={busy} onClick={() => void saveNote()}>保存笔记 Save note</Button>
      </View>
      {kit && (
        <View className='card' id='questions'>
          <Text className='subtitle'>正在问的题目 The question being asked</Text>
          {kit.competencies.flatMap((c) => c.questions.map((q) => (
            <View key={q.id} className={`question ${question === q.id ? 'question-on' : ''}`} id={`question-${q.id}`} onClick={() => void markQuestion(q.id)}>
              <Text>{question === q.id ? '▶ ' : ''}{c.name}：{q.text}</Text>
            </View>
          )))}
        </View>
      )}
      {notes && (
        <View className='card' id='transcript'>
          <Text className='subtitle'>转写与笔记 Transcript and notes</Text>
          {notes.segments.length === 0 && notes.notes.length === 0 && <Text className='muted'>还没有内容。Nothing yet.</Text>}
          {notes.segments.map((s) => (
            <View key={s.id} className='segment' id={`segment-${s.id}`}>
              <Text className='muted'>{clockOf(s.startedMs)}{s.version > 1 ? ' · 已更正 corrected' : ''}</Text>
              {editing?.id === s.id ? (
                <View>
                  <Input className='input' id='correction-input' value={editing.text} onInput={(e) => setEditing({ id: s.id, text: e.detail.value })} />
                  <Button className='btn btn-primary' id='save-correction' disabled={busy} onClick={() => void saveCorrection()}>保存更正 Save</Button>
                </View>
              ) : (
                <Text className='segment-text'>{s.text}</Text>
              )}
              <View className='segment-actions'>
                <Text className='nav-link star' onClick={() => void act(() => interviewerApi.flagSegment(id, s.id, { starred: !s.starred }))}>{s.starred ? '★ 已标星' : '☆ 标星 Star'}</Text>
                <Text className='nav-link correct' onClick={() => setEditing({ id: s.id, text: s.text })}>更正 Correct</Text>
              </View>
            </View>
          ))}
          {notes.notes.map((n) => (
            <View key={n.id} className='segment typed'>
              <Text className='muted'>{n.atMs === null ? '' : clockOf(n.atMs)} 笔记 note</Text>
              <Text className='segment-text'>{n.text}</Text>
            </View>
          ))}
        </View>
      )}
      <InterviewerNav interviewId={id} />
    </View>
  );
}
