import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { messageOf } from '../../api/client';
import { candidateApi, consentChannel, ensureSession, modeText, statusText, type CandidateInterview, type ConsentPurpose } from '../../api/candidate';
import { ErrorBox, go, Loading, Nav, Row } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { openLink } from '../../platform/open-link';
import { requestReminders } from '../../platform/subscribe';
import './index.css';

/** Subscription templates this build asks for at the confirm tap (set per company at build time). */
const reminderTemplates: string[] = HB_SUBSCRIBE_TEMPLATES;

const purposes: { purpose: ConsentPurpose; title: string; en: string; required: boolean }[] = [
  { purpose: 'personal_data', title: '处理我的个人信息以安排面试（必需）', en: 'Process my personal data to arrange the interview (required)', required: true },
  { purpose: 'interview_recording', title: '面试时录音（可选，仅用于面试记录）', en: 'Record the interview audio (optional, for the interview notes only)', required: false },
  { purpose: 'transcription', title: '把录音转成文字（可选）', en: 'Transcribe the recording (optional)', required: false },
  { purpose: 'talent_pool', title: '保留我的信息，用于今后合适的职位（可选）', en: 'Keep my data for future openings (optional)', required: false },
];

async function loadInvitation(token: string | null, interviewParam: string | null) {
  await ensureSession(token);
  const [{ items }, consents] = await Promise.all([candidateApi.invitations(), candidateApi.consents()]);
  const interviewId = interviewParam ?? items.find((i) => i.live && i.interviewId)?.interviewId ?? null;
  // An invitation to the application (not to one interview): the open interview of it, if there is one.
  const open = new Set(['awaiting_candidate', 'scheduled', 'confirmed', 'checked_in']);
  const interview = interviewId ? await candidateApi.interview(interviewId) : ((await candidateApi.interviews()).items.find((i) => open.has(i.status)) ?? null);
  const given = new Set(consents.items.filter((c) => c.withdrawnAt === null).map((c) => c.purpose));
  return { invitation: items[0] ?? null, interview, given };
}

export default function InvitePage() {
  const { params } = useRouter();
  const token = params.token ?? null;
  const { data, error, loading, reload, setError } = useLoad(() => loadInvitation(token, params.id ?? null), [token, params.id]);
  const [chosen, setChosen] = useState<Set<ConsentPurpose> | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  // Nothing is ticked for the candidate (PIPL: consent is an affirmative act); what they gave before stays ticked.
  const checked = chosen ?? new Set<ConsentPurpose>(data?.given ?? []);
  const toggle = (purpose: ConsentPurpose) => {
    const next = new Set(checked);
    if (next.has(purpose)) next.delete(purpose);
    else next.add(purpose);
    setChosen(next);
  };

  /**
   * What both "确认参加" and "选择面试时间" do first: the subscription prompt (it must come straight from the tap, WeChat
   * refuses it later), then the consents as ticked. Returns null when the required consent is missing.
   */
  async function agree() {
    if (!checked.has('personal_data')) {
      setError('请先同意处理个人信息，才能安排面试。Please agree to the processing of your personal data first.');
      return null;
    }
    const subscribed = await requestReminders(reminderTemplates);
    for (const p of purposes) if (checked.has(p.purpose) && !data?.given.has(p.purpose)) await candidateApi.giveConsent(p.purpose, consentChannel);
    for (const p of purposes) if (!checked.has(p.purpose) && data?.given.has(p.purpose) && !p.required) await candidateApi.withdrawConsent(p.purpose);
    setChosen(null);
    return subscribed;
  }

  async function pickTime(interview: CandidateInterview) {
    setBusy(true);
    try {
      if (await agree()) go(`/pages/slots/index?id=${interview.id}&mode=offer`);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  async function confirm(interview: CandidateInterview) {
    setBusy(true);
    try {
      const subscribed = await agree();
      if (!subscribed) return;
      await candidateApi.confirm(interview.id);
      setNotice(
        subscribed.supported
          ? subscribed.accepted.length > 0
            ? '已确认，我们会在面试前提醒您。Confirmed; we will remind you before the interview.'
            : '已确认。您未开启提醒，我们会通过微信客服或 HR 电话联系您。Confirmed. Reminders are off; we will reach you in chat or by phone.'
          : '已确认。提醒会通过微信客服消息发送。Confirmed. Reminders will come as WeChat messages.',
      );
      await reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  async function open(url: string) {
    try {
      const how = await openLink(url);
      if (how === 'copied') void Taro.showToast({ title: '链接已复制', icon: 'none' });
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const interview = data?.interview ?? null;
  const answerable = interview && (interview.status === 'scheduled' || interview.status === 'confirmed');
  return (
    <View className='page'>
      <Loading show={loading && !data} />
      <ErrorBox message={error} />
      {notice && <Text className='notice' id='notice'>{notice}</Text>}
      {data && !interview && (
        <View className='card'>
          <Text className='title'>{data.invitation?.jobTitle ?? '面试邀请'}</Text>
          <Text className='subtitle'>面试时间还在安排中，安排好后会通知您。The time is being arranged; we will tell you.</Text>
        </View>
      )}
      {interview && (
        <View className='card' id='interview'>
          <Text className='title'>{interview.jobTitle}</Text>
          <View>
            <Text className='subtitle'>
              {interview.roundName} · {modeText[interview.mode]}
              <Text className={`status ${interview.status === 'confirmed' || interview.status === 'checked_in' ? 'status-ok' : 'status-warn'}`} id='status'>
                {statusText[interview.status] ?? interview.status}
              </Text>
            </Text>
          </View>
          <Row label='时间'>
            <Text id='time'>{interview.timeLabel ?? '待定（请选择时间）'}</Text>
          </Row>
          {interview.mode === 'onsite' && (
            <Row label='地点'>
              <Text>{interview.location || '待定'}</Text>
              {interview.mapUrl && <Text className='nav-link' onClick={() => open(interview.mapUrl!)}> 查看地图</Text>}
            </Row>
          )}
          {interview.meetingUrl && (
            <Row label='会议链接'>
              <Text className='nav-link' onClick={() => open(interview.meetingUrl!)}>打开会议</Text>
            </Row>
          )}
          <Row label='面试官'>
            <Text>{interview.panelTitles.join('、') || '待定'}</Text>
          </Row>
          <Row label='请准备'>
            {interview.bring.map((b) => (
              <Text key={b} className='value' style={{ display: 'block' }}>· {b}</Text>
            ))}
          </Row>
        </View>
      )}
      {interview && (interview.status === 'awaiting_candidate' || answerable) && (
        <View className='card'>
          <Text className='title'>个人信息与授权</Text>
          <Text className='en'>Privacy notice and consent</Text>
          <Text className='muted'>
            招聘桥代表招聘企业处理您的姓名、联系方式和简历，仅用于本次招聘；面试官只看到脱敏后的信息。录音和转写需要您单独同意，可随时撤回；所有录用决定由人作出，不做情绪或性格推断。您可在“隐私与我的数据”中查阅、更正或删除您的信息。
          </Text>
          {purposes.map((p) => (
            <View key={p.purpose} className='check' id={`consent-${p.purpose}`} onClick={() => toggle(p.purpose)}>
              <Text className={`check-box ${checked.has(p.purpose) ? 'check-on' : ''}`}>{checked.has(p.purpose) ? '✓' : ''}</Text>
              <View>
                <Text>{p.title}</Text>
                <Text className='en'>{p.en}</Text>
              </View>
            </View>
          ))}
        </View>
      )}
      {interview?.status === 'awaiting_candidate' && (
        <Button className='btn btn-primary' id='pick' disabled={busy} onClick={() => pickTime(interview)}>
          选择面试时间 Pick a time
        </Button>
      )}
      {interview && answerable && (
        <View>
          {interview.status === 'scheduled' && (
            <Button className='btn btn-primary' id='confirm' disabled={busy} onClick={() => confirm(interview)}>
              确认参加 Confirm
            </Button>
          )}
          <Button className='btn btn-plain' id='reschedule' onClick={() => go(`/pages/slots/index?id=${interview.id}&mode=reschedule`)}>
            改个时间 Another time
          </Button>
          <Button className='btn btn-danger' id='decline' onClick={() => go(`/pages/decline/index?id=${interview.id}`)}>
            婉拒 Decline
          </Button>
        </View>
      )}
      <Nav />
    </View>
  );
}
