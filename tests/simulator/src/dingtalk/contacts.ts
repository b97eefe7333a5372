import type { Context } from 'koa';
import { Router } from '@koa/router';
import { readBody } from '../http/read-body';
import { DingtalkApiError } from './errors';
import type { DingtalkState } from './state';

/**
 * DingTalk 通讯录 on the old API (https://oapi.dingtalk.com/topapi/…): HTTP 200 with `{errcode, errmsg}`, the token
 * as `?access_token=` (the same token the new API issues per app).
 * - POST /topapi/v2/department/listsub {dept_id}  direct children only   https://open.dingtalk.com/document/orgapp/obtain-the-department-list-v2
 * - POST /topapi/user/listid {dept_id}            userids of one dept    https://open.dingtalk.com/document/orgapp/query-the-list-of-department-userids
 * - POST /topapi/v2/user/get {userid}             details with unionid   https://open.dingtalk.com/document/orgapp/query-user-details
 * The root department is 1 and exists from the start. A member who left is gone from every list and user/get
 * answers 60121, as on the real service.
 */
export interface SimDingtalkDepartment {
  readonly id: number;
  readonly name: string;
  readonly parentId: number;
}

export interface SimDingtalkMemberInput {
  readonly userId: string;
  readonly name: string;
  /** Generated from the userId when not given. */
  readonly unionId?: string;
  readonly title?: string;
  /** Defaults to [1] (the root). */
  readonly deptIds?: readonly number[];
  /** 直属主管's userid. */
  readonly managerUserId?: string;
  /** false: invited, not activated yet. */
  readonly active?: boolean;
}

export interface SimDingtalkMember extends SimDingtalkMemberInput {
  readonly unionId: string;
  readonly deptIds: readonly number[];
}

/** errcodes from https://open.dingtalk.com/document/orgapp/server-api-error-codes-1 */
export const contactsErrcodes = { invalidToken: 40014, departmentNotFound: 60003, userNotFound: 60121, missingParameter: 40035 } as const;

class OapiAnswer extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`${errcode} ${errmsg}`);
  }
}

export class DingtalkContactsStore {
  readonly departments = new Map<number, SimDingtalkDepartment>([[1, { id: 1, name: '根部门', parentId: 0 }]]);
  readonly members = new Map<string, SimDingtalkMember>();
}

const stores = new WeakMap<DingtalkState, DingtalkContactsStore>();

export function dingtalkContactsOf(state: DingtalkState): DingtalkContactsStore {
  let store = stores.get(state);
  if (!store) {
    store = new DingtalkContactsStore();
    stores.set(state, store);
  }
  return store;
}

export function addDepartment(state: DingtalkState, department: { id: number; name: string; parentId?: number }): void {
  dingtalkContactsOf(state).departments.set(department.id, { id: department.id, name: department.name, parentId: department.parentId ?? 1 });
}

/** A member of the organisation; also a user the app robot can reach (sim.dingtalk.addUser). */
export function addMember(state: DingtalkState, input: SimDingtalkMemberInput): SimDingtalkMember {
  const member: SimDingtalkMember = { ...input, unionId: input.unionId ?? `union-${input.userId}`, deptIds: input.deptIds ?? [1] };
  dingtalkContactsOf(state).members.set(member.userId, member);
  state.users.set(member.userId, { userId: member.userId, name: member.name, unionId: member.unionId });
  return member;
}

export function updateMember(state: DingtalkState, userId: string, changes: Partial<Omit<SimDingtalkMemberInput, 'userId'>>): SimDingtalkMember {
  const current = dingtalkContactsOf(state).members.get(userId);
  if (!current) throw new Error(`no DingTalk member ${userId}`);
  return addMember(state, { ...current, ...changes, userId });
}

/** The member leaves the organisation: gone from the contacts and unreachable by robots. */
export function removeMember(state: DingtalkState, userId: string): boolean {
  state.users.delete(userId);
  return dingtalkContactsOf(state).members.delete(userId);
}

export function dingtalkContactsRouter(state: DingtalkState): Router {
  const router = new Router();
  const store = dingtalkContactsOf(state);

  function endpoint(path: string, handler: (body: Record<string, unknown>) => Record<string, unknown>) {
    router.post(path, async (ctx: Context) => {
      state.count(path);
      try {
        const token = ctx.query.access_token;
        try {
          state.checkToken(typeof token === 'string' && token !== '' ? token : undefined);
        } catch (error) {
          if (error instanceof DingtalkApiError) throw new OapiAnswer(contactsErrcodes.invalidToken, '不合法的access_token');
          throw error;
        }
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(await readBody(ctx.req)) as Record<string, unknown>;
        } catch {
          throw new OapiAnswer(contactsErrcodes.missingParameter, '缺少参数');
        }
        ctx.body = { errcode: 0, errmsg: 'ok', ...handler(body ?? {}), request_id: Math.random().toString(36).slice(2) };
      } catch (error) {
        if (!(error instanceof OapiAnswer)) throw error;
        ctx.body = { errcode: error.errcode, errmsg: error.errmsg, request_id: Math.random().toString(36).slice(2) };
      }
    });
  }

  const departmentOf = (value: unknown) => {
    const id = Number(value ?? 1);
    if (!store.departments.has(id)) throw new OapiAnswer(contactsErrcodes.departmentNotFound, '部门不存在');
    return id;
  };

  endpoint('/topapi/v2/department/listsub', (body) => {
    const parent = departmentOf(body.dept_id);
    const result = [...store.departments.values()]
      .filter((d) => d.parentId === parent && d.id !== parent)
      .map((d) => ({ dept_id: d.id, name: d.name, parent_id: d.parentId, auto_add_user: false, create_dept_group: false }));
    return { result };
  });

  endpoint('/topapi/user/listid', (body) => {
    const dept = departmentOf(body.dept_id);
    return { result: { userid_list: [...store.members.values()].filter((m) => m.deptIds.includes(dept)).map((m) => m.userId) } };
  });

  endpoint('/topapi/v2/user/get', (body) => {
    const member = typeof body.userid === 'string' ? store.members.get(body.userid) : undefined;
    if (!member) throw new OapiAnswer(contactsErrcodes.userNotFound, '找不到该用户');
    return {
      result: {
        userid: member.userId,
        unionid: member.unionId,
        name: member.name,
        // DingTalk leaves out empty fields rather than sending "".
        ...(member.title ? { title: member.title } : {}),
        ...(member.managerUserId ? { manager_userid: member.managerUserId } : {}),
        dept_id_list: [...member.deptIds],
        active: member.active ?? true,
        admin: false,
        boss: false,
      },
    };
  });

  return router;
}
