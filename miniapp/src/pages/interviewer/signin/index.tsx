import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { messageOf } from '../../../api/client';
import { ErrorBox, Loading } from '../../../components/ui';
import { useLoad } from '../../../components/use-load';
import { demoSignIn, startEmployeeSignIn } from '../../../platform/employee-session';

const home = '/pages/interviewer/today/index';

/**
 * Employee sign-in: in WeCom at once (wx.qy.login); in a browser the web login, or — only when the server says it
 * runs in demo mode — a 演示登录 picker of the demo employees.
 */
export default function SignInPage() {
  const { params } = useRouter();
  const next = params.next ? decodeURIComponent(params.next) : home;
  const [busy, setBusy] = useState(false);
  const { data, error, loading, setError } = useLoad(async () => {
    const outcome = await startEmployeeSignIn();
    if (outcome.kind === 'signed_in') void Taro.redirectTo({ url: next });
    return outcome;
  }, [next]);

  async function pick(employeeId: string) {
    setBusy(true);
    try {
      await demoSignIn(employeeId);
      void Taro.redirectTo({ url: next });
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className='page'>
      <Text className='title'>面试官登录</Text>
      <Text className='en'>Interviewer sign-in</Text>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {data?.kind === 'signed_in' && <Text className='muted'>已登录，正在打开… Signed in, opening…</Text>}
      {data?.kind === 'unavailable' && <Text className='notice'>{data.message}</Text>}
      {data?.kind === 'web' && (
        <View className='card'>
          <Text className='notice'>{data.message}</Text>
          {data.url && <Button className='btn btn-primary' id='web-login' onClick={() => window.location.assign(data.url!)}>扫码登录 Sign in</Button>}
        </View>
      )}
      {data?.kind === 'demo' && (
        <View className='card' id='demo-login'>
          <Text className='subtitle'>演示登录 Demo sign-in</Text>
          <Text className='muted'>服务器处于演示模式：选择一位员工登录。The server runs in demo mode: pick an employee.</Text>
          {data.employees.map((e) => (
            <Button key={e.id} className='btn btn-plain demo-employee' id={`employee-${e.id}`} disabled={busy} onClick={() => void pick(e.id)}>
              {e.name}
              {e.title ? ` · ${e.title}` : ''}（{e.tenantName}）
            </Button>
          ))}
        </View>
      )}
    </View>
  );
}
