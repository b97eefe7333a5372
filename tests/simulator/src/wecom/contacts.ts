import { randomBytes } from 'node:crypto';
import type { Corp } from './corp';
import { WecomApiError, errcodes } from './errors';
import type { Grant } from './tokens';

// https://developer.work.weixin.qq.com/document/path/95350 (获取子部门ID列表)
export function departmentSimpleList(corp: Corp, idParam: string | undefined) {
  const rootId = idParam === undefined || idParam === '' ? 1 : Number(idParam);
  if (!Number.isInteger(rootId) || !corp.departments.has(rootId)) throw new WecomApiError(errcodes.invalidDepartmentId);
  return {
    department_id: corp.subtree(rootId).map((d) => ({ id: d.id, parentid: d.parentid, order: d.order })),
  };
}

/**
 * Cursors of user/list_id: opaque, server-side, pointing after the last (userid, department) pair returned.
 * Paging by key instead of by offset keeps every pair listed exactly once even if members change between pages.
 */
export class ListIdCursors {
  private readonly cursors = new Map<string, { corpId: string; after: string }>();

  create(corpId: string, after: string): string {
    const cursor = randomBytes(18).toString('base64url');
    this.cursors.set(cursor, { corpId, after });
    return cursor;
  }

  resolve(corpId: string, cursor: string): string {
    const entry = this.cursors.get(cursor);
    if (!entry || entry.corpId !== corpId) throw new WecomApiError(errcodes.invalidCursor);
    return entry.after;
  }
}

const defaultListIdLimit = 10000;

// https://developer.work.weixin.qq.com/document/path/96067 (获取成员ID列表): contacts-sync secret only.
export function userListId(corp: Corp, grant: Grant, cursors: ListIdCursors, body: Record<string, unknown>) {
  if (grant.kind !== 'contacts') throw new WecomApiError(errcodes.apiForbidden);
  const limit = body.limit === undefined ? defaultListIdLimit : Number(body.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw new WecomApiError(errcodes.invalidParameter, 'limit');
  const cursor = typeof body.cursor === 'string' ? body.cursor : '';
  const after = cursor === '' ? '' : cursors.resolve(corp.config.corpId, cursor);

  const pairs = [...corp.members.values()]
    .flatMap((m) => m.department.map((department) => ({ userid: m.userid, department, key: pairKey(m.userid, department) })))
    .filter((p) => p.key > after)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const page = pairs.slice(0, limit);
  const last = page[page.length - 1];
  const more = pairs.length > limit && last !== undefined;
  return {
    next_cursor: more ? cursors.create(corp.config.corpId, last.key) : '',
    dept_user: page.map(({ userid, department }) => ({ userid, department })),
  };
}

function pairKey(userid: string, department: number): string {
  return `${userid.toLowerCase()}\0${String(department).padStart(12, '0')}`;
}

// https://developer.work.weixin.qq.com/document/path/90196 (读取成员)
export function userGet(corp: Corp, grant: Grant, userid: string | undefined) {
  const member = userid ? corp.member(userid) : undefined;
  if (!member) throw new WecomApiError(errcodes.userIdNotFound);
  const showMobile = member.mobile !== undefined && (grant.kind === 'contacts' || member.mobileAuthorized === true);
  return {
    userid: member.userid,
    name: member.name,
    department: [...member.department],
    position: member.position ?? '',
    status: member.status,
    main_department: member.mainDepartment ?? member.department[0],
    direct_leader: [...(member.directLeader ?? [])],
    ...(showMobile ? { mobile: member.mobile } : {}),
  };
}
