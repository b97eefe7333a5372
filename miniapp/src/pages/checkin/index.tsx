import { Button, Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { messageOf } from '../../api/client';
import { candidateApi, ensureSession, type CandidateInterview } from '../../api/candidate';
import { ErrorBox } from '../../components/ui';
import { scanCheckinCode } from '../../platform/scan';

/**
 * On-site check-in: the reception QR code (one per site and day) opens this page with its code, or the mini-program
 * scans it. The server finds today's interview at that site, checks the candidate in and tells the panel.
 */
export default function CheckinPage() {
  const { params } = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<CandidateInterview | null>(null);
  const [busy, setBusy] = useState(false);

  async function checkIn(code: string) {
    setBusy(true);
    try {
      await ensureSession(null);
      const result = await candidateApi.checkIn(code);
      setDone(await candidateApi.interview(result.interviewId));
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    if (params.code) void checkIn(params.code);

  }, [params.code]);

  async function scan() {
    const outcome = await scanCheckinCode();
    if (outcome.code) await checkIn(outcome.code);
    else setError(outcome.message ?? null);
  }

  return (
    <View className='page'>
      <Text className='title'>到场签到</Text>
      <Text className='en'>Check in</Text>
      <ErrorBox message={error} />
      {done ? (
        <View className='card' id='checked-in'>
          <Text className='title'>签到成功 ✓</Text>
          <Text className='subtitle'>{done.jobTitle} · {done.roundName}</Text>
          <Text className='muted' style={{ display: 'block' }}>{done.timeLabel}</Text>
          <Text style={{ display: 'block', marginTop: '16px' }}>面试官已收到通知，请在前台稍候。The panel has been told; please wait at reception.</Text>
        </View>
      ) : (
        <Button className='btn btn-primary' id='scan' disabled={busy} onClick={scan}>
          扫码签到 Scan to check in
        </Button>
      )}
    </View>
  );
}
