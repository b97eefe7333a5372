import type { Context } from 'koa';
import { Router } from '@koa/router';
import { readBody } from '../http/read-body';
import { DingtalkApiError } from './errors';
import type { DingtalkState } from './state';

/**
 * DingTalk 智能人事 (smart HR) on the old API, HTTP 200 with `{errcode, errmsg}` and `?access_token=`:
 * - POST /topapi/smartwork/hrm/employee/queryonjob {status_list, offset, size ≤ 50} → {result: {data_list, next_cursor}}
 *   https://open.dingtalk.com/document/development/intelligent-personnel-query-the-list-of-on-the-job-employees-of-the
 * - POST /topapi/smartwork/hrm/employee/v2/list {userid_list ≤ 100 as a comma string, agentid, field_filter_list?}
 *   → {result: [{userid, corp_id, field_data_list: [{field_code, field_name, group_id, field_value_list: [{item_index,
 *   value, label}]}]}]}
 * - POST /topapi/smartwork/hrm/employee/field/grouplist {agentid} → {result: [{group_id, group_name, detail, field_list}]}
 * What the real service does and this copies (platform.md §7.4): only staff present since 智能人事 was enabled are
 * known — so people are added here explicitly, apart from the contacts; status codes 2 试用, 3 正式, 5 待离职,
 * -1 无状态; a userid the roster does not know is left out of v2/list's result, not refused. The old API's list
 * parameters are comma strings (the TOP SDKs declare userid_list and field_filter_list as String): a JSON array is
 * refused. "Chosen" (no per-API table): errcode 40035 不合法的参数 for a bad or missing parameter, >100 ids, size > 50;
 * next_cursor absent on the last page; the grouplist shape and its field_type names (TEXT, SELECT, DATE) are this
 * simulator's [inference], and smart HR's own update API is not simulated.
 */
export type SimSmartHrStatus = 2 | 3 | 5 | -1;

export interface SimSmartHrFieldInput {
  readonly code: string;
  readonly name: string;
  readonly type: 'TEXT' | 'SELECT' | 'DATE';
  readonly required?: boolean;
  readonly options?: readonly { readonly key: string; readonly value: string }[];
}

export interface SimSmartHrGroupInput {
  readonly groupId: string;
  readonly name: string;
  /** true for a repeatable group (教育经历, 工作经历…): values carry item_index. */
  readonly detail?: boolean;
  readonly fields: readonly SimSmartHrFieldInput[];
}

/** One value as DingTalk carries it: `value` is the stored form (an option key, a yyyy-MM-dd date), `label` its text. */
export interface SimSmartHrValue {
  readonly value: string;
  readonly label?: string;
  readonly itemIndex?: number;
}

export interface SimSmartHrEmployee {
  readonly userId: string;
  status: SimSmartHrStatus;
  /** field_code → values (several for a repeatable group, by item_index). */
  readonly values: Map<string, SimSmartHrValue[]>;
}

export const defaultSmartHrGroups: readonly SimSmartHrGroupInput[] = [
  {
    groupId: 'sys00',
    name: '基本信息',
    fields: [
      { code: 'sys00-name', name: '姓名', type: 'TEXT', required: true },
      { code: 'sys00-position', name: '职位', type: 'TEXT' },
      { code: 'sys00-confirmJoinTime', name: '入职时间', type: 'DATE', required: true },
    ],
  },
  {
    groupId: 'sys01',
    name: '在职信息',
    fields: [
      {
        code: 'sys01-employeeType',
        name: '员工类型',
        type: 'SELECT',
        options: [
          { key: '1', value: '全职' },
          { key: '2', value: '兼职' },
        ],
      },
    ],
  },
  { groupId: 'sys04', name: '教育经历', detail: true, fields: [{ code: 'sys04-school', name: '毕业院校', type: 'TEXT' }] },
];

export const smartHrErrcodes = { invalidToken: 40014, invalidParameter: 40035 } as const;

class OapiAnswer extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`${errcode} ${errmsg}`);
  }
}

export class DingtalkSmartHrStore {
  groups: SimSmartHrGroupInput[] = [...defaultSmartHrGroups];
  /** Insertion order is the order queryonjob pages through. */
  readonly employees = new Map<string, SimSmartHrEmployee>();

  /** Someone on the 智能人事 roster (hired, or present when it was enabled). */
  addEmployee(input: { userId: string; status?: SimSmartHrStatus; values?: Record<string, string | readonly SimSmartHrValue[]> }): SimSmartHrEmployee {
    const values = new Map<string, SimSmartHrValue[]>();
    for (const [code, value] of Object.entries(input.values ?? {})) values.set(code, typeof value === 'string' ? [{ value }] : [...value]);
    const employee: SimSmartHrEmployee = { userId: input.userId, status: input.status ?? 3, values };
    this.employees.set(input.userId, employee);
    return employee;
  }

  setStatus(userId: string, status: SimSmartHrStatus): void {
    const employee = this.employees.get(userId);
    if (!employee) throw new Error(`no smart HR employee ${userId}`);
    employee.status = status;
  }

  /** Left the company: smart HR no longer lists them as on the job. */
  removeEmployee(userId: string): boolean {
    return this.employees.delete(userId);
  }
}

const stores = new WeakMap<DingtalkState, DingtalkSmartHrStore>();

export function dingtalkSmartHrOf(state: DingtalkState): DingtalkSmartHrStore {
  let store = stores.get(state);
  if (!store) {
    store = new DingtalkSmartHrStore();
    stores.set(state, store);
  }
  return store;
}

const invalid = (what: string) => new OapiAnswer(smartHrErrcodes.invalidParameter, `不合法的参数 ${what}`);

/** A comma-string list parameter; an array (or any non-string) is refused as DingTalk's parameter binding does. */
function commaList(body: Record<string, unknown>, name: string, required: boolean): string[] | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null || raw === '') {
    if (required) throw invalid(name);
    return undefined;
  }
  if (typeof raw !== 'string') throw invalid(`${name} (must be a comma-separated string)`);
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function agentIdOf(body: Record<string, unknown>): void {
  const raw = body.agentid;
  if (raw === undefined || raw === null || raw === '' || !/^\d+$/.test(String(raw))) throw invalid('agentid');
}

export function dingtalkSmartHrRouter(state: DingtalkState): Router {
  const router = new Router();
  const store = dingtalkSmartHrOf(state);

  function endpoint(path: string, handler: (body: Record<string, unknown>) => Record<string, unknown>) {
    router.post(path, async (ctx: Context) => {
      state.count(path);
      try {
        const token = ctx.query.access_token;
        try {
          state.checkToken(typeof token === 'string' && token !== '' ? token : undefined);
        } catch (error) {
          if (error instanceof DingtalkApiError) throw new OapiAnswer(smartHrErrcodes.invalidToken, '不合法的access_token');
          throw error;
        }
        let body: unknown;
        try {
          body = JSON.parse(await readBody(ctx.req));
        } catch {
          throw invalid('body');
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body');
        ctx.body = { errcode: 0, errmsg: 'ok', success: true, ...handler(body as Record<string, unknown>), request_id: Math.random().toString(36).slice(2) };
      } catch (error) {
        if (!(error instanceof OapiAnswer)) throw error;
        ctx.body = { errcode: error.errcode, errmsg: error.errmsg, success: false, request_id: Math.random().toString(36).slice(2) };
      }
    });
  }

  endpoint('/topapi/smartwork/hrm/employee/queryonjob', (body) => {
    const statuses = commaList(body, 'status_list', true)!;
    if (statuses.some((s) => !['2', '3', '5', '-1'].includes(s))) throw invalid('status_list');
    const offset = Number(body.offset ?? 0);
    const size = Number(body.size);
    if (!Number.isInteger(offset) || offset < 0) throw invalid('offset');
    if (!Number.isInteger(size) || size < 1 || size > 50) throw invalid('size');
    const matching = [...store.employees.values()].filter((e) => statuses.includes(String(e.status))).map((e) => e.userId);
    const page = matching.slice(offset, offset + size);
    const next = offset + size;
    return { result: { data_list: page, ...(next < matching.length ? { next_cursor: next } : {}) } };
  });

  endpoint('/topapi/smartwork/hrm/employee/v2/list', (body) => {
    agentIdOf(body);
    const userIds = commaList(body, 'userid_list', true)!;
    if (userIds.length > 100) throw invalid('userid_list (at most 100)');
    const filter = commaList(body, 'field_filter_list', false);
    const fields = store.groups.flatMap((g) => g.fields.map((f) => ({ group: g, field: f })));
    const result = userIds
      .map((id) => store.employees.get(id))
      .filter((e): e is SimSmartHrEmployee => e !== undefined)
      .map((employee) => ({
        userid: employee.userId,
        corp_id: 'simcorp',
        field_data_list: fields
          .filter(({ field }) => filter === undefined || filter.includes(field.code))
          .map(({ group, field }) => ({
            field_code: field.code,
            field_name: field.name,
            group_id: group.groupId,
            field_value_list: (employee.values.get(field.code) ?? []).map((v, i) => ({
              item_index: v.itemIndex ?? (group.detail ? i : 0),
              value: v.value,
              label: v.label ?? field.options?.find((o) => o.key === v.value)?.value ?? v.value,
            })),
          })),
      }));
    return { result };
  });

  endpoint('/topapi/smartwork/hrm/employee/field/grouplist', (body) => {
    agentIdOf(body);
    return {
      result: store.groups.map((g) => ({
        group_id: g.groupId,
        group_name: g.name,
        detail: g.detail === true,
        field_list: g.fields.map((f) => ({
          field_code: f.code,
          field_name: f.name,
          field_type: f.type,
          required: f.required === true,
          ...(f.options ? { option_list: f.options.map((o) => ({ key: o.key, value: o.value })) } : {}),
        })),
      })),
    };
  });

  return router;
}
