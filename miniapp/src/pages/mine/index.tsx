import { Text, View } from '@tarojs/components';
import { candidateApi, ensureSession, modeText, statusText } from '../../api/candidate';
import { ErrorBox, go, Loading, Nav } from '../../components/ui';
import { useLoad } from '../../components/use-load';

/** All my interviews with their status; a tap opens one. */
export default function MinePage() {
  const { data, error, loading } = useLoad(async () => {
    await ensureSession(null);
    return candidateApi.interviews();
  }, []);
  return (
    <View className='page'>
      <Text className='title'>我的面试</Text>
      <Text className='en'>My interviews</Text>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {data && data.items.length === 0 && <Text className='notice'>暂时没有面试。No interviews yet.</Text>}
      {data?.items.map((i) => (
        <View key={i.id} className='card interview-item' onClick={() => go(`/pages/invite/index?id=${i.id}`)}>
          <Text className='title'>{i.jobTitle}</Text>
          <Text className='subtitle'>
            {i.roundName} · {modeText[i.mode]}
            <Text className='status'>{statusText[i.status] ?? i.status}</Text>
          </Text>
          <Text className='muted'>{i.timeLabel ?? '时间待定'}</Text>
        </View>
      ))}
      <Nav />
    </View>
  );
}
