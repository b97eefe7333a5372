import { Button, Text, Textarea, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { messageOf } from '../../api/client';
import { candidateApi, ensureSession } from '../../api/candidate';
import { back, ErrorBox } from '../../components/ui';

const reasons = ['时间冲突', '已接受其他工作机会', '职位不太合适', '个人原因'];

/** Declining asks for a reason (one tap, or in their own words) and is final; HR is told. */
export default function DeclinePage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    if (reason.trim() === '') {
      setError('请选择或填写婉拒原因。Please give a reason.');
      return;
    }
    setBusy(true);
    try {
      await ensureSession(null);
      await candidateApi.decline(id, reason.trim());
      back(`/pages/invite/index?id=${id}`);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className='page'>
      <Text className='title'>婉拒面试</Text>
      <Text className='en'>Decline the interview</Text>
      <ErrorBox message={error} />
      <View className='card'>
        {reasons.map((r) => (
          <View key={r} className={`slot ${reason === r ? 'slot-chosen' : ''}`} onClick={() => setReason(r)}>
            {r}
          </View>
        ))}
        <Textarea className='textarea' id='reason' placeholder='其他原因 Other reason' value={reasons.includes(reason) ? '' : reason} onInput={(e) => setReason(e.detail.value)} maxlength={500} />
      </View>
      <Button className='btn btn-danger' id='submit' disabled={busy} onClick={submit}>
        确认婉拒 Decline
      </Button>
    </View>
  );
}
