import { Image, Text, View } from '@tarojs/components';
import { useState, type ReactNode } from 'react';
import { ApiError, messageOf } from '../../../api/client';
import { hrApi, mayReadReports, periods, type ChartKind, type ChartPeriod, type Funnel, type InterviewerLoad, type NoShowsByJob, type TimeToHire } from '../../../api/hr';
import { ErrorBox, Loading } from '../../../components/ui';
import { useLoad } from '../../../components/use-load';
import { aria, asEmployee, NumbersTable, switchAccount } from '../shared';
import './index.css';

interface Section<T> {
  readonly data: T | null;
  /** The chart as a data URL (fetched with the session). */
  readonly image: string | null;
  readonly error: string | null;
}

const permissionMessage = '只有 HR、用人经理和管理员可以查看招聘报表；如需查看，请联系管理员开通权限。Only HR, hiring managers and admins can see hiring reports; ask your administrator for access.';
const forbidden = (e: unknown) => e instanceof ApiError && e.status === 403;

/** The numbers and the picture of one chart, each allowed to fail on its own. */
async function section<T>(numbers: () => Promise<T>, picture: () => Promise<string>): Promise<Section<T>> {
  const [data, image] = await Promise.allSettled([numbers(), picture()]);
  const failed = data.status === 'rejected' ? data.reason : image.status === 'rejected' ? image.reason : null;
  if (forbidden(failed)) throw failed;
  return {
    data: data.status === 'fulfilled' ? data.value : null,
    image: image.status === 'fulfilled' ? image.value : null,
    error: failed === null ? null : messageOf(failed),
  };
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const days = (n: number | null) => (n === null ? '—' : `${n} 天`);

/**
 * 招聘报表 for HR, hiring managers and admins in the H5 view (and the mini-program): the bot's four charts — funnel,
 * time to hire, no-show rate, interviewer load — drawn on the server, for a period and (funnel) a job, each with its
 * numbers as a table under it. Everyone else is told why there is nothing to see.
 */
export default function ReportsPage() {
  const [period, setPeriod] = useState<ChartPeriod>('30d');
  const [chosenJob, setChosenJob] = useState<string | null>(null);

  const who = useLoad(
    () =>
      asEmployee(async () => {
        const me = await hrApi.me();
        if (!mayReadReports(me.employee.roles)) return { me, allowed: false, jobs: [] };
        const jobs = await hrApi.jobs().catch((e: unknown) => {
          if (forbidden(e)) return { items: [] };
          throw e;
        });
        return { me, allowed: true, jobs: jobs.items };
      }),
    [],
  );
  const allowed = who.data?.allowed === true;
  const jobs = who.data?.jobs ?? [];
  const jobId = chosenJob ?? jobs.find((j) => j.status === 'open')?.id ?? jobs[0]?.id ?? null;

  const charts = useLoad(async () => {
    if (!allowed) return null;
    const loaded = await Promise.all([
      jobId ? section<Funnel>(() => hrApi.funnel(jobId, period), () => hrApi.chart('funnel', { jobId, period })) : Promise.resolve(null),
      section<TimeToHire>(() => hrApi.timeToHire(period), () => hrApi.chart('time-to-hire', { period })),
      section<NoShowsByJob>(() => hrApi.noShows(period), () => hrApi.chart('no-shows', { period })),
      section<InterviewerLoad>(() => hrApi.interviewerLoad(period), () => hrApi.chart('interviewer-load', { period })),
    ]).catch((e: unknown) => {
      // Roles can change while the page is open: a refusal is the permission message, not an error.
      if (forbidden(e)) return 'forbidden' as const;
      throw e;
    });
    if (loaded === 'forbidden') return loaded;
    const [funnel, timeToHire, noShows, load] = loaded;
    return { period, jobId, funnel, timeToHire, noShows, load };
  }, [allowed, period, jobId]);

  const denied = (who.data !== null && !who.data.allowed) || charts.data === 'forbidden';
  const current = charts.data === 'forbidden' ? null : charts.data;
  const loadingCharts = charts.loading || (current !== null && (current.period !== period || current.jobId !== jobId));

  return (
    <View className='page' id='hr-reports'>
      <Text className='title'>招聘报表</Text>
      <Text className='en'>Hiring reports</Text>
      <Loading show={who.loading && !who.data} />
      <ErrorBox message={who.error} />
      {who.data && (
        <Text className='muted' id='signed-in-as'>
          {who.data.me.employee.name}（{who.data.me.tenant.name}）
        </Text>
      )}
      {denied && (
        <View className='card'>
          <Text className='notice' id='no-permission'>{permissionMessage}</Text>
          <Text className='nav-link' id='switch-account' onClick={switchAccount}>换个账号登录 Sign in as someone else</Text>
        </View>
      )}
      {allowed && !denied && (
        <View>
          <View className='card'>
            <Text className='subtitle'>期间 Period</Text>
            <View className='hr-periods' id='periods' {...aria('radiogroup', { label: '期间 Period' })}>
              {periods.map((p) => (
                <Text
                  key={p.value}
                  id={`period-${p.value}`}
                  className={`hr-chip ${p.value === period ? 'hr-chip-on' : ''}`}
                  {...aria('radio', { checked: String(p.value === period), label: `${p.label} ${p.en}` })}
                  onClick={() => setPeriod(p.value)}
                >
                  {p.label}
                </Text>
              ))}
            </View>
            {loadingCharts && <Text className='muted' id='charts-loading'>正在更新… Updating…</Text>}
          </View>
          <ErrorBox message={charts.error} />

          <View className='card' id='section-funnel'>
            <Text className='subtitle'>招聘漏斗 Hiring funnel</Text>
            {jobs.length === 0 && <Text className='muted'>还没有可查看的职位。No jobs to show yet.</Text>}
            <View className='hr-jobs' id='jobs' {...aria('radiogroup', { label: '职位 Job' })}>
              {jobs.map((j) => (
                <Text key={j.id} id={`job-${j.id}`} className={`hr-chip ${j.id === jobId ? 'hr-chip-on' : ''}`} {...aria('radio', { checked: String(j.id === jobId) })} onClick={() => setChosenJob(j.id)}>
                  {j.title}
                </Text>
              ))}
            </View>
            {current?.funnel && (
              <ChartView kind='funnel' section={current.funnel} alt={`${current.funnel.data?.jobTitle ?? ''} 招聘漏斗 Hiring funnel`}>
                {current.funnel.data && (
                  <NumbersTable
                    id='table-funnel'
                    caption={`${current.funnel.data.jobTitle} 招聘漏斗 Hiring funnel`}
                    head={['阶段 Stage', '人数 Count']}
                    rows={[
                      ...current.funnel.data.steps.map((s) => [s.label, s.count]),
                      ['未通过 Rejected', current.funnel.data.rejected],
                      ['已撤回 Withdrawn', current.funnel.data.withdrawn],
                    ]}
                  />
                )}
              </ChartView>
            )}
          </View>

          <View className='card' id='section-time-to-hire'>
            <Text className='subtitle'>招聘周期 Time to hire</Text>
            {current && (
              <ChartView kind='time-to-hire' section={current.timeToHire} alt='各职位从投递到录用的中位天数 Median days from application to hire by job'>
                {current.timeToHire.data && (
                  <View>
                    <Text className='hr-summary' id='time-to-hire-summary'>
                      录用 {current.timeToHire.data.hires} 人，中位 {days(current.timeToHire.data.medianDays)}，P90 {days(current.timeToHire.data.p90Days)} · {current.timeToHire.data.hires} hires, median {current.timeToHire.data.medianDays ?? '—'} days
                    </Text>
                    <NumbersTable
                      id='table-time-to-hire'
                      caption='招聘周期（天）Time to hire (days)'
                      head={['职位 Job', '录用 Hires', '中位 Median', 'P90', '平均 Mean']}
                      rows={current.timeToHire.data.jobs.map((j) => [j.jobTitle, j.hires, j.medianDays, j.p90Days, j.meanDays])}
                    />
                  </View>
                )}
              </ChartView>
            )}
          </View>

          <View className='card' id='section-no-shows'>
            <Text className='subtitle'>未到场率 No-show rate</Text>
            {current && (
              <ChartView kind='no-shows' section={current.noShows} alt='各职位未到场率 No-show rate by job'>
                {current.noShows.data && (
                  <NumbersTable
                    id='table-no-shows'
                    caption='未到场率（按职位）No-show rate by job'
                    head={['职位 Job', '面试 Interviews', '未到场 No-shows', '比例 Rate']}
                    rows={current.noShows.data.items.map((r) => [r.label, r.interviews, r.noShows, percent(r.rate)])}
                  />
                )}
              </ChartView>
            )}
          </View>

          <View className='card' id='section-interviewer-load'>
            <Text className='subtitle'>面试官负荷 Interviewer load</Text>
            {current && (
              <ChartView kind='interviewer-load' section={current.load} alt='每位面试官的面试场数 Interviews per interviewer'>
                {current.load.data && (
                  <NumbersTable
                    id='table-interviewer-load'
                    caption='面试官负荷 Interviews per interviewer'
                    head={['面试官 Interviewer', '面试场数 Interviews']}
                    rows={current.load.data.items.map((r) => [r.name, r.interviews])}
                  />
                )}
              </ChartView>
            )}
          </View>
        </View>
      )}
    </View>
  );
}

function ChartView({ kind, section, alt, children }: { kind: ChartKind; section: Section<unknown>; alt: string; children?: ReactNode }) {
  return (
    <View id={`chart-${kind}`}>
      <ErrorBox message={section.error} />
      {section.image && <Image id={`img-${kind}`} className='hr-chart' src={section.image} mode='widthFix' ariaLabel={alt} {...{ alt }} />}
      {children}
    </View>
  );
}
