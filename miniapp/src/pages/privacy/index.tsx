import { Button, Text, Textarea, View } from '@tarojs/components';
import { useState } from 'react';
import { messageOf } from '../../api/client';
import { candidateApi, consentChannel, ensureSession, type ConsentPurpose, type DataRequest } from '../../api/candidate';
import { ErrorBox, Loading } from '../../components/ui';
import { useLoad } from '../../components/use-load';

const purposeText: Record<ConsentPurpose, string> = {
  personal_data: '处理个人信息以安排面试',
  interview_recording: '面试录音',
  transcription: '录音转文字',
  talent_pool: '保留信息用于今后的职位',
};
const kindText: Record<DataRequest['kind'], string> = { access: '获取副本', correction: '更正', deletion: '删除' };
const requestStatus: Record<DataRequest['status'], string> = { open: '处理中', completed: '已完成', rejected: '未通过' };

/** The privacy centre: my consents (give or withdraw each), and my data — a copy, a correction, or deletion. */
export default function PrivacyPage() {
  const { data, error, loading, reload, setError } = useLoad(async () => {
    await ensureSession(null);
    const [me, consents, requests] = await Promise.all([
      import('../../api/client').then(({ api }) => api<{ name: string; phoneMasked: string | null; emailMasked: string | null }>('GET', '/api/candidate/me')),
      candidateApi.consents(),
      candidateApi.dataRequests(),
    ]);
    return { me, consents: consents.items, requests: requests.items };
  }, []);
  const [details, setDetails] = useState('');
  const [exported, setExported] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await work();
      await reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const active = new Set(data?.consents.filter((c) => c.withdrawnAt === null).map((c) => c.purpose));
  return (
    <View className='page'>
      <Text className='title'>隐私与我的数据</Text>
      <Text className='en'>Privacy and my data</Text>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {data && (
        <View>
          <View className='card'>
            <Text>{data.me.name}</Text>
            <Text className='muted' style={{ display: 'block' }}>{[data.me.phoneMasked, data.me.emailMasked].filter(Boolean).join(' · ')}</Text>
          </View>
          <View className='card' id='consents'>
            <Text className='title'>我的授权</Text>
            {(Object.keys(purposeText) as ConsentPurpose[]).map((p) => (
              <View key={p} className='row' id={`consent-${p}`}>
                <Text className='value'>{purposeText[p]}</Text>
                {active.has(p) ? (
                  <Text className='nav-link' onClick={() => !busy && act(() => candidateApi.withdrawConsent(p))}>撤回</Text>
                ) : (
                  <Text className='nav-link' onClick={() => !busy && act(() => candidateApi.giveConsent(p, consentChannel))}>同意</Text>
                )}
              </View>
            ))}
          </View>
          <View className='card'>
            <Text className='title'>我的个人信息</Text>
            <Text className='muted'>我们会在 15 天内处理您的请求。We answer within 15 days.</Text>
            <Textarea className='textarea' id='details' placeholder='需要更正的内容或说明（可选）Details' value={details} maxlength={2000} onInput={(e) => setDetails(e.detail.value)} />
            <Button className='btn btn-plain' id='request-access' disabled={busy} onClick={() => act(() => candidateApi.createDataRequest('access', details))}>获取我的数据副本</Button>
            <Button className='btn btn-plain' id='request-correction' disabled={busy || details.trim() === ''} onClick={() => act(() => candidateApi.createDataRequest('correction', details))}>申请更正</Button>
            <Button className='btn btn-danger' id='request-deletion' disabled={busy} onClick={() => act(() => candidateApi.createDataRequest('deletion', details))}>申请删除我的数据</Button>
          </View>
          {data.requests.map((r) => (
            <View key={r.id} className='card data-request'>
              <Text>{kindText[r.kind]}</Text>
              <Text className='status'>{requestStatus[r.status]}</Text>
              {r.resolution && <Text className='muted' style={{ display: 'block' }}>{r.resolution}</Text>}
              {r.hasExport && (
                <Text className='nav-link' onClick={() => act(async () => setExported((await candidateApi.dataExport(r.id)).summary))}>查看副本</Text>
              )}
            </View>
          ))}
          {exported && <Text className='notice' id='export'>{exported}</Text>}
        </View>
      )}
    </View>
  );
}
