import { Button, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { messageOf } from '../../api/client';
import { candidateApi, ensureSession, type Slot } from '../../api/candidate';
import { back, ErrorBox, Loading } from '../../components/ui';
import { useLoad } from '../../components/use-load';

/** Groups slots by their day as the label shows it (the label is already in the candidate's zone). */
function byDay(slots: readonly Slot[]): [string, Slot[]][] {
  const days = new Map<string, Slot[]>();
  for (const s of slots) {
    const day = /^(?:\d+年)?\d+月\d+日（周.）/.exec(s.label)?.[0] ?? '';
    days.set(day, [...(days.get(day) ?? []), s]);
  }
  return [...days];
}

/**
 * Picking a time: for an offered interview the slot is held for ten minutes while the candidate confirms (the first
 * to confirm a slot wins); for a reschedule the move happens at once, within the job's rules.
 */
export default function SlotsPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const mode = params.mode === 'offer' ? 'offer' : 'reschedule';
  const { data, error, loading, reload, setError } = useLoad(async () => {
    await ensureSession(null);
    return candidateApi.slots(id);
  }, [id]);
  const [chosen, setChosen] = useState<Slot | null>(null);
  const [held, setHeld] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  async function pick(slot: Slot) {
    setChosen(slot);
    setHeld(null);
    if (mode !== 'offer') return;
    try {
      const hold = await candidateApi.hold(id, slot.startsAt);
      setHeld(hold.holdExpiresAt);
      setError(null);
    } catch (e) {
      setError(messageOf(e));
      setChosen(null);
      await reload();
    }
  }

  async function submit() {
    if (!chosen) return;
    setBusy(true);
    try {
      if (mode === 'offer') await candidateApi.choose(id, chosen.startsAt);
      else await candidateApi.reschedule(id, chosen.startsAt, reason.trim());
      void Taro.showToast({ title: mode === 'offer' ? '已选定' : '已改期', icon: 'success' });
      back(`/pages/invite/index?id=${id}`);
    } catch (e) {
      setError(messageOf(e));
      setChosen(null);
      await reload();
    } finally {
      setBusy(false);
    }
  }

  const heldUntil = held ? new Date(held).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false }) : null;
  return (
    <View className='page'>
      <Text className='title'>{mode === 'offer' ? '选择面试时间' : '改个时间'}</Text>
      <Text className='en'>{mode === 'offer' ? 'Pick a time for your interview' : 'Move your interview'}</Text>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {data && data.items.length === 0 && (
        <Text className='notice'>近两周没有可选的时间，请联系 HR。No free times in the next two weeks; please contact HR.</Text>
      )}
      {data &&
        byDay(data.items).map(([day, slots]) => (
          <View key={day}>
            <Text className='day'>{day}</Text>
            {slots.map((s) => (
              <View key={s.startsAt} className={`slot ${chosen?.startsAt === s.startsAt ? 'slot-chosen' : ''}`} data-starts-at={s.startsAt} onClick={() => pick(s)}>
                {s.label.slice(day.length).trim() || s.label}
              </View>
            ))}
          </View>
        ))}
      {chosen && (
        <View className='card' id='chosen'>
          <Text>已选：{chosen.label}</Text>
          {heldUntil && <Text className='muted' style={{ display: 'block' }}>为您保留到 {heldUntil}，请尽快确认。Held for you until {heldUntil}.</Text>}
          {mode === 'reschedule' && (
            <Textarea className='textarea' id='reason' placeholder='改期原因（部分职位必填）Reason' value={reason} onInput={(e) => setReason(e.detail.value)} maxlength={500} />
          )}
          <Button className='btn btn-primary' id='submit' disabled={busy || (mode === 'offer' && !held)} onClick={submit}>
            确认这个时间 Confirm this time
          </Button>
        </View>
      )}
    </View>
  );
}
