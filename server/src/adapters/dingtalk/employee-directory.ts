import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import {
  DirectoryNotConfiguredError,
  type DirectoryDepartment,
  type DirectoryMember,
  type DirectoryMemberRef,
  type EmployeeDirectory,
} from '../../ports/employee-directory';
import { SecretUnavailableError } from '../platform/secret-ref';
import type { TokenCache } from '../postgres/token-cache';
import { DingtalkAppMisconfiguredError, dingtalkCredentialsOf } from './app-identity';
import { createDingtalkOapi, DingtalkOapiError, type DingtalkOapi } from './oapi-client';

/** DingTalk's root department is always 1 (https://open.dingtalk.com/document/orgapp/obtain-the-department-list-v2). */
export const dingtalkRootDepartmentId = '1';

/**
 * topapi/v2/user/get for a userid the organisation no longer has: 60121 找不到该用户; 33012 无效的USERID (both in the
 * global code table https://open.dingtalk.com/document/orgapp/server-api-error-codes-1).
 */
const userNotFound = new Set([60121, 33012]);

interface UserGetResult {
  userid: string;
  unionid?: string;
  name?: string;
  title?: string;
  dept_id_list?: number[];
  manager_userid?: string;
  /** false: invited but has not activated the DingTalk account yet. */
  active?: boolean;
  [key: string]: unknown;
}

/**
 * The DingTalk contacts API (old topapi family) behind the EmployeeDirectory port. The app needs the 通讯录只读
 * permission (qyapi_get_member, qyapi_get_department_list). The member list walks the department tree because
 * DingTalk has no "every member" call in the contacts API (smart HR `queryonjob` has one, but only for companies
 * that enabled 智能人事 and only for staff present since then — platform.md §7.4 — so it is not the default).
 * A member who left is not returned by user/get at all (60121), which the port reads as "no longer known".
 */
export function dingtalkEmployeeDirectory(api: DingtalkOapi): EmployeeDirectory {
  // https://open.dingtalk.com/document/orgapp/obtain-the-department-list-v2 (获取部门列表): direct children only,
  // so the tree is walked breadth first from the root; the root itself is never listed.
  async function listDepartments(): Promise<DirectoryDepartment[]> {
      const found: DirectoryDepartment[] = [{ id: dingtalkRootDepartmentId, parentId: null, name: null }];
      const queue = [dingtalkRootDepartmentId];
      const seen = new Set(queue);
      while (queue.length > 0) {
        const parent = queue.shift()!;
        const answer = await api.post<{ result?: { dept_id: number; name?: string; parent_id?: number }[] }>('/topapi/v2/department/listsub', {
          dept_id: Number(parent),
          language: 'zh_CN',
        });
        for (const d of answer.result ?? []) {
          const id = String(d.dept_id);
          if (seen.has(id)) continue;
          seen.add(id);
          found.push({ id, parentId: d.parent_id === undefined ? parent : String(d.parent_id), name: (d.name ?? '').trim() || null });
          queue.push(id);
        }
      }
      return found;
  }

  return {
    listDepartments,

    // https://open.dingtalk.com/document/orgapp/query-the-list-of-department-userids (获取部门用户userid列表):
    // one call per department, not paged; a member of several departments appears in each.
    async listMembers(onProgress) {
      const departments = await listDepartments();
      const byUser = new Map<string, string[]>();
      let pages = 0;
      for (const department of departments) {
        const answer = await api.post<{ result?: { userid_list?: string[] } }>('/topapi/user/listid', { dept_id: Number(department.id) });
        pages++;
        for (const userId of answer.result?.userid_list ?? []) {
          const list = byUser.get(userId) ?? [];
          if (!list.includes(department.id)) list.push(department.id);
          byUser.set(userId, list);
        }
        onProgress?.({ listed: byUser.size, pages });
      }
      return [...byUser].map(([userId, departmentIds]): DirectoryMemberRef => ({ userId, departmentIds }));
    },

    // https://open.dingtalk.com/document/orgapp/query-user-details (查询用户详情)
    async getMember(userId): Promise<DirectoryMember | undefined> {
      let result: UserGetResult | undefined;
      try {
        result = (await api.post<{ result?: UserGetResult }>('/topapi/v2/user/get', { userid: userId, language: 'zh_CN' })).result;
      } catch (error) {
        if (error instanceof DingtalkOapiError && userNotFound.has(error.errcode)) return undefined;
        throw error;
      }
      if (!result) return undefined;
      const departmentIds = (result.dept_id_list ?? []).map(String);
      const title = (result.title ?? '').trim();
      const manager = (result.manager_userid ?? '').trim();
      return {
        userId: result.userid,
        name: (result.name ?? '').trim() || result.userid,
        title: title === '' ? null : title,
        departmentIds,
        // DingTalk has no main department; the first of dept_id_list is the one its own clients show first.
        mainDepartmentId: departmentIds[0] ?? null,
        // DingTalk has no "disabled" state in user/get: an account is active, not yet activated, or gone.
        status: result.active === false ? 'pending' : 'active',
        // manager_userid is omitted when nobody is set as the member's 直属主管: that means "no manager".
        directLeaderIds: manager === '' ? [] : [manager],
        unionId: typeof result.unionid === 'string' && result.unionid !== '' ? result.unionid : null,
      };
    },
  };
}

/**
 * The directory of a tenant, from its `dingtalk_app` platform app (one internal app carries robot, stream and
 * contacts permissions). One client per app, reused across calls so the token cache's memory copy is hit.
 */
export function dingtalkDirectoryFor(deps: {
  findApp(tenantId: string): Promise<PlatformApp | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  tokens: TokenCache;
  log: Logger;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}): (tenantId: string) => Promise<EmployeeDirectory> {
  const directories = new Map<string, { secretRef: string; baseUrl: string; directory: EmployeeDirectory }>();
  return async (tenantId) => {
    const app = await deps.findApp(tenantId);
    if (!app) throw new DirectoryNotConfiguredError(tenantId, 'no dingtalk_app platform app (钉钉企业内部应用)');
    const known = directories.get(app.id);
    if (known && known.secretRef === app.secretRef && known.baseUrl === app.apiBaseUrl) return known.directory;
    let credentials;
    try {
      credentials = dingtalkCredentialsOf(app, deps.env);
    } catch (error) {
      if (error instanceof SecretUnavailableError || error instanceof DingtalkAppMisconfiguredError) {
        throw new DirectoryNotConfiguredError(tenantId, error.message);
      }
      throw error;
    }
    const api = createDingtalkOapi({
      credentials,
      tokens: deps.tokens,
      log: deps.log,
      ...(deps.fetch && { fetch: deps.fetch }),
      ...(deps.sleep && { sleep: deps.sleep }),
    });
    const directory = dingtalkEmployeeDirectory(api);
    directories.set(app.id, { secretRef: app.secretRef, baseUrl: app.apiBaseUrl, directory });
    return directory;
  };
}
