import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import {
  DirectoryNotConfiguredError,
  type DirectoryDepartment,
  type DirectoryMember,
  type DirectoryMemberRef,
  type DirectoryMemberStatus,
  type EmployeeDirectory,
} from '../../ports/employee-directory';
import { resolveSecretRef } from '../platform/secret-ref';
import type { TokenCache } from '../postgres/token-cache';
import { createWecomApi, WecomApiError, type WecomApi } from './api-client';

/** user/get for a userid the directory does not hold. https://developer.work.weixin.qq.com/document/path/90455 */
const userIdNotFound = 60111;

/** Member status of user/get. https://developer.work.weixin.qq.com/document/path/90196 */
const statusByCode: Readonly<Record<number, DirectoryMemberStatus>> = { 1: 'active', 2: 'disabled', 4: 'pending', 5: 'left' };

interface UserGetAnswer {
  userid: string;
  name?: string;
  position?: string;
  department?: number[];
  main_department?: number;
  status?: number;
  direct_leader?: string[];
  [key: string]: unknown;
}

/**
 * The WeCom contacts API behind the EmployeeDirectory port. Needs the contacts-sync secret's client: user/list_id
 * refuses any other token (48002). Department names are not read: department/simplelist carries none, and
 * department/get is closed to the contacts-sync secret from IPs added after 2022-08-15 (the note on
 * https://developer.work.weixin.qq.com/document/path/95407), so a department keeps the name it has here.
 */
export function wecomEmployeeDirectory(api: WecomApi, options: { pageSize?: number } = {}): EmployeeDirectory {
  const pageSize = options.pageSize ?? 1000;
  return {
    // https://developer.work.weixin.qq.com/document/path/95350 (获取子部门ID列表): no id → the whole tree.
    async listDepartments(): Promise<DirectoryDepartment[]> {
      const answer = await api.get<{ department_id?: { id: number; parentid: number }[] }>('/cgi-bin/department/simplelist');
      return (answer.department_id ?? []).map((d) => ({
        id: String(d.id),
        // The root (id 1) has parentid 0, which names no department.
        parentId: d.parentid > 0 && d.parentid !== d.id ? String(d.parentid) : null,
        name: null,
      }));
    },

    // https://developer.work.weixin.qq.com/document/path/96067 (获取成员ID列表): one entry per member and department.
    async listMembers(onProgress) {
      const byUser = new Map<string, string[]>();
      let cursor = '';
      let pages = 0;
      do {
        const answer = await api.post<{ next_cursor?: string; dept_user?: { userid: string; department: number }[] }>('/cgi-bin/user/list_id', {
          cursor,
          limit: pageSize,
        });
        pages++;
        for (const entry of answer.dept_user ?? []) {
          const departments = byUser.get(entry.userid) ?? [];
          if (!departments.includes(String(entry.department))) departments.push(String(entry.department));
          byUser.set(entry.userid, departments);
        }
        cursor = answer.next_cursor ?? '';
        onProgress?.({ listed: byUser.size, pages });
      } while (cursor !== '');
      return [...byUser].map(([userId, departmentIds]): DirectoryMemberRef => ({ userId, departmentIds }));
    },

    // https://developer.work.weixin.qq.com/document/path/90196 (读取成员)
    async getMember(userId): Promise<DirectoryMember | undefined> {
      let answer: UserGetAnswer;
      try {
        answer = await api.get<UserGetAnswer>('/cgi-bin/user/get', { userid: userId });
      } catch (error) {
        if (error instanceof WecomApiError && error.errcode === userIdNotFound) return undefined;
        throw error;
      }
      const departmentIds = (answer.department ?? []).map(String);
      const main = answer.main_department ?? answer.department?.[0];
      const title = (answer.position ?? '').trim();
      return {
        userId: answer.userid,
        name: (answer.name ?? '').trim() || answer.userid,
        title: title === '' ? null : title,
        departmentIds,
        mainDepartmentId: main === undefined ? null : String(main),
        // A code this adapter does not know keeps the member on the roster without claiming they can sign in.
        status: statusByCode[answer.status ?? 1] ?? 'pending',
        directLeaderIds: Array.isArray(answer.direct_leader) ? answer.direct_leader.filter((id) => typeof id === 'string' && id !== '') : null,
      };
    },
  };
}

/**
 * The directory of a tenant, from its `wecom_contacts` platform app (the contacts-sync secret is an app of its own
 * with its own token). One API client per app, reused across calls so the token cache's memory copy is hit.
 */
export function wecomDirectoryFor(deps: {
  findApp(tenantId: string): Promise<PlatformApp | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  tokens: TokenCache;
  log: Logger;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  pageSize?: number;
}): (tenantId: string) => Promise<EmployeeDirectory> {
  const directories = new Map<string, { secretRef: string; baseUrl: string; directory: EmployeeDirectory }>();
  return async (tenantId) => {
    const app = await deps.findApp(tenantId);
    if (!app) throw new DirectoryNotConfiguredError(tenantId, 'no wecom_contacts platform app (通讯录同步 secret)');
    const known = directories.get(app.id);
    if (known && known.secretRef === app.secretRef && known.baseUrl === app.apiBaseUrl) return known.directory;
    let secret: string;
    try {
      secret = resolveSecretRef(app.secretRef, { env: deps.env, demoAllowed: app.tenantIsDemo });
    } catch (error) {
      throw new DirectoryNotConfiguredError(tenantId, (error as Error).message);
    }
    const api = createWecomApi({
      credentials: { appId: app.id, corpId: app.corpId, secret, baseUrl: app.apiBaseUrl },
      tokens: deps.tokens,
      log: deps.log,
      ...(deps.fetch && { fetch: deps.fetch }),
      ...(deps.sleep && { sleep: deps.sleep }),
    });
    const directory = wecomEmployeeDirectory(api, deps.pageSize === undefined ? {} : { pageSize: deps.pageSize });
    directories.set(app.id, { secretRef: app.secretRef, baseUrl: app.apiBaseUrl, directory });
    return directory;
  };
}
