import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ManualClock, createManualClock } from '../clock';
import { type Simulator, startSimulator } from '../simulator';
import { contactsErrcodes } from './contacts';

const appKey = 'dingcontactsapp1';
const appSecret = 'contacts-secret-1';

let clock: ManualClock;
let sim: Simulator;

beforeEach(async () => {
  clock = createManualClock();
  sim = await startSimulator({ clock, dingtalk: { stream: { pollIntervalMs: 10 } } });
  sim.dingtalk.addApp({ appKey, appSecret, robotCode: appKey, corpId: 'dingcorpcontacts' });
  sim.dingtalk.addDepartment({ id: 10, name: '技术部' });
  sim.dingtalk.addDepartment({ id: 11, name: '后端组', parentId: 10 });
  sim.dingtalk.addMember({ userId: 'lead', name: '赵磊', unionId: 'unionLead', title: '组长', deptIds: [11, 10] });
  sim.dingtalk.addMember({ userId: 'dev', name: '钱芳', deptIds: [11], managerUserId: 'lead' });
});
afterEach(() => sim.stop());

async function token(): Promise<string> {
  const response = await fetch(`${sim.url}/v1.0/oauth2/accessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appKey, appSecret }) });
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function oapi(path: string, body: unknown, accessToken?: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${sim.url}${path}?access_token=${accessToken ?? (await token())}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('DingTalk contacts (oapi)', () => {
  it('lists direct sub-departments only, from the root', async () => {
    expect(await oapi('/topapi/v2/department/listsub', { dept_id: 1 })).toMatchObject({ errcode: 0, result: [{ dept_id: 10, name: '技术部', parent_id: 1 }] });
    expect(((await oapi('/topapi/v2/department/listsub', { dept_id: 10 })).result as unknown[]).length).toBe(1);
    expect(await oapi('/topapi/v2/department/listsub', { dept_id: 99 })).toMatchObject({ errcode: contactsErrcodes.departmentNotFound });
  });

  it('lists the userids of each department and gives user details with unionid and manager', async () => {
    expect(await oapi('/topapi/user/listid', { dept_id: 11 })).toMatchObject({ errcode: 0, result: { userid_list: ['lead', 'dev'] } });
    expect(await oapi('/topapi/user/listid', { dept_id: 10 })).toMatchObject({ result: { userid_list: ['lead'] } });
    const lead = await oapi('/topapi/v2/user/get', { userid: 'lead' });
    expect(lead).toMatchObject({ errcode: 0, result: { userid: 'lead', unionid: 'unionLead', name: '赵磊', title: '组长', dept_id_list: [11, 10], active: true } });
    expect(lead.result).not.toHaveProperty('manager_userid');
    expect(await oapi('/topapi/v2/user/get', { userid: 'dev' })).toMatchObject({ result: { unionid: 'union-dev', manager_userid: 'lead' } });
  });

  it('forgets a member who left and refuses a bad token with errcode 40014', async () => {
    expect(sim.dingtalk.removeMember('dev')).toBe(true);
    expect(await oapi('/topapi/v2/user/get', { userid: 'dev' })).toMatchObject({ errcode: contactsErrcodes.userNotFound });
    expect(await oapi('/topapi/user/listid', { dept_id: 11 })).toMatchObject({ result: { userid_list: ['lead'] } });
    expect(await oapi('/topapi/user/listid', { dept_id: 11 }, 'not-a-token')).toMatchObject({ errcode: contactsErrcodes.invalidToken });
  });

  it('pushes an org change as an EVENT frame with the userIds in data', () => {
    const pushed = sim.dingtalk.orgChanged({ appKey, eventType: 'user_leave_org', userIds: ['dev'] });
    const [frame] = sim.dingtalk.pendingUnacked(appKey);
    expect(frame).toMatchObject({ type: 'EVENT', headers: { eventType: 'user_leave_org', eventId: pushed.eventId } });
    expect(JSON.parse(frame!.data)).toMatchObject({ userId: ['dev'] });
  });
});
