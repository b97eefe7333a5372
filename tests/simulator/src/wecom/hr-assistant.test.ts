import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { type Simulator, startSimulator } from '../simulator';
import { wecomHrOf } from './hr-assistant';

const corpId = 'wwhrsim00001';
let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator({ clock: createManualClock() });
  sim.wecom.addCorp({
    corpId,
    apps: [{ agentId: 1001, secret: 's-app' }, { agentId: 1002, secret: 's-hr' }],
    contactsSecret: 's-contacts',
    callbackToken: 't',
    encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  });
  sim.wecom.addUser(corpId, { userid: 'zhoumin', name: '周敏', department: [1] });
  wecomHrOf(sim.wecom.state).enable(corpId, { agentIds: [1002] });
});
afterEach(() => sim.stop());

async function call(path: string, body?: unknown, secret = 's-hr') {
  const token = ((await (await fetch(`${sim.url}/cgi-bin/gettoken?corpid=${corpId}&corpsecret=${secret}`)).json()) as { access_token: string }).access_token;
  const init = body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) };
  return (await (await fetch(`${sim.url}${path}?access_token=${token}`, init)).json()) as Record<string, unknown>;
}

describe('人事助手 花名册 simulator', () => {
  it('answers only the app added to 人事助手: 48002 for another app and the contacts-sync secret', async () => {
    expect((await call('/cgi-bin/hr/get_fields')).errcode).toBe(0);
    expect((await call('/cgi-bin/hr/get_fields', undefined, 's-app')).errcode).toBe(48002);
    expect((await call('/cgi-bin/hr/get_staff_info', { userid: 'zhoumin', get_all: true }, 's-contacts')).errcode).toBe(48002);
  });

  it('inserts, updates and removes entries of a repeatable group by sub_idx', async () => {
    const insert = (school: string) => ({ group_type: 1, item: [{ fieldid: 14001, sub_idx: 0, value_string: school }] });
    expect((await call('/cgi-bin/hr/update_staff_info', { userid: 'zhoumin', insert_items: [insert('复旦大学'), insert('同济大学'), insert('交通大学')] })).errcode).toBe(0);
    expect((await call('/cgi-bin/hr/update_staff_info', { userid: 'zhoumin', update_items: [{ fieldid: 14002, sub_idx: 2, value_uint32: 2 }] })).errcode).toBe(0);
    expect((await call('/cgi-bin/hr/update_staff_info', { userid: 'zhoumin', remove_items: [{ group_type: 1, sub_idx: 0 }] })).errcode).toBe(0);
    const answer = await call('/cgi-bin/hr/get_staff_info', { userid: 'zhoumin', fieldids: [{ fieldid: 14001, sub_idx: 0 }, { fieldid: 14002, sub_idx: 1 }, { fieldid: 14001, sub_idx: 2 }] });
    expect(answer.field_info).toEqual([
      { fieldid: 14001, sub_idx: 0, result: 1, value_type: 1, value_string: '同济大学' },
      { fieldid: 14002, sub_idx: 1, result: 1, value_type: 3, value_uint32: 2 },
      { fieldid: 14001, sub_idx: 2, result: 2 },
    ]);
  });

  it('refuses a non-updatable field, a bad option, a missing entry and an unknown member, changing nothing', async () => {
    const update = (items: unknown[], userid = 'zhoumin') => call('/cgi-bin/hr/update_staff_info', { userid, update_items: items });
    const refused = await update([{ fieldid: 12024, value_string: 'E1' }, { fieldid: 11001, value_string: '改名' }]);
    expect(refused.errcode).toBe(40058);
    expect(String(refused.errmsg)).toContain('11001');
    expect((await update([{ fieldid: 12010, value_uint32: 99 }])).errcode).toBe(40058);
    expect((await update([{ fieldid: 12010, value_string: '总经理' }])).errcode).toBe(40058);
    expect((await update([{ fieldid: 14001, sub_idx: 0, value_string: 'x' }])).errcode).toBe(40058);
    expect((await update([{ fieldid: 12024, value_string: 'E1' }], 'nobody')).errcode).toBe(60111);
    expect((await call('/cgi-bin/hr/update_staff_info', { userid: 'zhoumin' })).errcode).toBe(40058);
    expect(wecomHrOf(sim.wecom.state).staffRecord(corpId, 'zhoumin').plain).toEqual({});
  });
});
