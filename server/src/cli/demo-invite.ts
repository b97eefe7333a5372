/**
 * Tries the candidate side of the out-of-the-box run: as the demo HR 周敏 (demo sign-in), offers 林晓雨 an interview
 * with times to pick and prints the invitation link of the H5 mini-app — only through the public API, as HR would.
 * Usage (with `npm start` running): npm run demo:invite [-- http://127.0.0.1:3000]
 */
const base = (process.argv[2] ?? process.env.HB_PUBLIC_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');

async function call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const data = (await response.json()) as T & { message?: string };
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${data.message ?? ''}`);
  return data;
}

async function main() {
  const { items: people } = await call<{ items: { id: string; name: string; roles: string[] }[] }>('GET', '/api/dev/employees', null);
  const hr = people.find((p) => p.roles.includes('hr'));
  const panelist = people.find((p) => p.name === '刘洋') ?? people.find((p) => p.roles.includes('interviewer'));
  if (!hr || !panelist) throw new Error('the demo company is not loaded (HB_DEMO_SEED=true on an empty database)');
  const { token } = await call<{ token: string }>('POST', '/api/dev/sessions', null, { employeeId: hr.id });
  const { items } = await call<{ items: { id: string; candidateName: string; jobId: string; stage: string }[] }>('GET', '/api/applications?limit=100', token);
  const application = items.find((a) => a.candidateName === '林晓雨') ?? items.find((a) => a.stage === 'interviewing');
  if (!application) throw new Error('no demo application to invite');
  const job = await call<{ rounds: { id: string; name: string }[] }>('GET', `/api/jobs/${application.jobId}`, token);
  const round = job.rounds[0];
  if (!round) throw new Error('the demo job has no interview round');
  let url: string;
  try {
    const offered = await call<{ invitationUrl: string }>('POST', `/api/applications/${application.id}/interviews/offer`, token, {
      roundId: round.id,
      location: '星河大厦 12 层',
      panel: [{ employeeId: panelist.id }],
    });
    url = offered.invitationUrl;
    console.log(`已为 ${application.candidateName} 安排「${round.name}」（候选人自选时间）。Offered ${application.candidateName} times to pick.`);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes(': 409 ')) throw error;
    // Already offered on an earlier run: a fresh link to the same application.
    url = (await call<{ url: string }>('POST', `/api/applications/${application.id}/invitations`, token, {})).url;
  }
  console.log('请在浏览器（手机尺寸）打开候选人邀请链接 / Open the candidate invitation in a browser (phone size):');
  console.log(url);
}

main().catch((error: unknown) => {
  console.error(`demo:invite failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error('Is the server running (npm start) in demo mode?');
  process.exit(1);
});
