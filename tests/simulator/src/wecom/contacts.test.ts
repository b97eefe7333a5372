import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WecomFixture, contactsSecret, corpId, startWecomFixture } from '../testing/wecom-fixture';

describe('WeCom contacts', () => {
  let f: WecomFixture;
  beforeEach(async () => {
    f = await startWecomFixture();
  });
  afterEach(() => f.stop());

  it('pages user/list_id with a cursor so every (member, department) pair comes exactly once', async () => {
    f.sim.wecom.addDepartment(corpId, { id: 3, name: '人事部', parentid: 1 });
    for (let i = 0; i < 95; i += 1) {
      f.sim.wecom.addUser(corpId, { userid: `user${String(i).padStart(3, '0')}`, name: `员工${i}`, department: i % 10 === 0 ? [2, 3] : [3] });
    }
    const token = await f.api.token(contactsSecret);
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const page = await f.api.post('/cgi-bin/user/list_id', { access_token: token }, { cursor, limit: 10 });
      expect(page.errcode).toBe(0);
      const entries = page.dept_user as { userid: string; department: number }[];
      expect(entries.length).toBeLessThanOrEqual(10);
      seen.push(...entries.map((e) => `${e.userid}/${e.department}`));
      cursor = page.next_cursor as string;
      pages += 1;
    } while (cursor !== '');
    // 95 + 2 fixture members, 10 of the 95 in two departments.
    expect(seen).toHaveLength(107);
    expect(new Set(seen).size).toBe(107);
    expect(new Set(seen.map((s) => s.split('/')[0])).size).toBe(97);
    expect(pages).toBe(11);
  });

  it('keeps paging correct when a member is added between pages', async () => {
    const token = await f.api.token(contactsSecret);
    const first = await f.api.post('/cgi-bin/user/list_id', { access_token: token }, { limit: 1 });
    f.sim.wecom.addUser(corpId, { userid: 'aaa', name: '新人', department: [1] });
    const rest = await f.api.post('/cgi-bin/user/list_id', { access_token: token }, { cursor: first.next_cursor, limit: 100 });
    const ids = [...(first.dept_user as { userid: string }[]), ...(rest.dept_user as { userid: string }[])].map((e) => e.userid);
    expect(ids.filter((id) => id === 'lisi')).toHaveLength(1);
    expect(ids.filter((id) => id === 'ZhangSan')).toHaveLength(1);
  });

  it('refuses a made-up cursor (50100) and a limit outside 1..10000 (40058)', async () => {
    const token = await f.api.token(contactsSecret);
    expect((await f.api.post('/cgi-bin/user/list_id', { access_token: token }, { cursor: 'forged' })).errcode).toBe(50100);
    expect((await f.api.post('/cgi-bin/user/list_id', { access_token: token }, { limit: 0 })).errcode).toBe(40058);
    expect((await f.api.post('/cgi-bin/user/list_id', { access_token: token }, { limit: 10001 })).errcode).toBe(40058);
  });

  it('reads a member with user/get, hiding the mobile from an app unless the member authorised it', async () => {
    const app = await f.api.token();
    const zhang = await f.api.get('/cgi-bin/user/get', { access_token: app, userid: 'zhangsan' });
    expect(zhang).toMatchObject({ errcode: 0, userid: 'ZhangSan', name: '张三', department: [2], position: '面试官' });
    expect(zhang).not.toHaveProperty('mobile');
    expect((await f.api.get('/cgi-bin/user/get', { access_token: app, userid: 'lisi' })).mobile).toBe('13800000002');
    const contacts = await f.api.token(contactsSecret);
    expect((await f.api.get('/cgi-bin/user/get', { access_token: contacts, userid: 'ZhangSan' })).mobile).toBe('13800000001');
    expect((await f.api.get('/cgi-bin/user/get', { access_token: app, userid: 'ghost' })).errcode).toBe(60111);
  });

  it('lists a department and its descendants with department/simplelist', async () => {
    f.sim.wecom.addDepartment(corpId, { id: 5, name: '后端组', parentid: 2 });
    const token = await f.api.token(contactsSecret);
    const all = await f.api.get('/cgi-bin/department/simplelist', { access_token: token });
    expect((all.department_id as { id: number }[]).map((d) => d.id).sort()).toEqual([1, 2, 5]);
    const sub = await f.api.get('/cgi-bin/department/simplelist', { access_token: token, id: '2' });
    expect(sub.department_id).toEqual([
      { id: 2, parentid: 1, order: 0 },
      { id: 5, parentid: 2, order: 0 },
    ]);
    expect((await f.api.get('/cgi-bin/department/simplelist', { access_token: token, id: '99' })).errcode).toBe(60123);
  });
});
