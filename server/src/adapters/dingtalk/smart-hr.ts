import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { HrRosterError, type HrField, type HrFieldRef, type HrFieldType, type HrFieldValue, type HrRoster, type HrValue } from '../../ports/employee-directory';
import { SecretUnavailableError } from '../platform/secret-ref';
import type { TokenCache } from '../postgres/token-cache';
import { DingtalkAppMisconfiguredError, dingtalkCredentialsOf } from './app-identity';
import { createDingtalkOapi, DingtalkOapiError, type DingtalkOapi } from './oapi-client';

/*
 * DingTalk 智能人事 (smart HR) 花名册 behind the HrRoster port, on the old topapi family (platform.md §7.4):
 * - queryonjob  https://open.dingtalk.com/document/development/intelligent-personnel-query-the-list-of-on-the-job-employees-of-the
 *   {status_list "2,3,5,-1", offset, size ≤ 50} → {result: {data_list: [userid], next_cursor}}
 * - employee/v2/list {userid_list ≤ 100 as a comma string, agentid, field_filter_list?} → field values per employee
 * - employee/field/grouplist {agentid} → the roster's field groups
 * Only staff present since the company enabled 智能人事 are known to it, so a member missing here is not a leaver:
 * the contacts directory (employee-directory.ts) stays the roster's source of truth.
 * Values never reach a log line or an error message: only field codes and errcodes do.
 */

/** On-job status codes of queryonjob: 2 试用, 3 正式, 5 待离职, -1 无状态 (platform.md §7.4). */
export const onJobStatuses = ['2', '3', '5', '-1'] as const;
export type OnJobStatus = (typeof onJobStatuses)[number];

/** queryonjob's page limit (platform.md §7.4). */
const pageSize = 50;

/** 60011 管理员权限不足 / no permission for this API (global code table https://open.dingtalk.com/document/orgapp/server-api-error-codes-1). */
const forbidden = new Set([60011]);

/**
 * field_type of grouplist → the port's type. The doc's list of type names is not in platform.md; TEXT, SELECT and
 * DATE are the ones the simulator serves [inference]. Anything else is read as text: readable, never written.
 */
const fieldTypes: Readonly<Record<string, HrFieldType>> = { TEXT: 'text', SELECT: 'option', DATE: 'time' };

interface GroupMeta {
  group_id: string;
  group_name?: string;
  detail?: boolean;
  field_list?: { field_code: string; field_name?: string; field_type?: string; required?: boolean; option_list?: { key: string; value: string }[] }[];
}

interface EmployeeFields {
  userid: string;
  field_data_list?: { field_code: string; group_id?: string; field_value_list?: { item_index?: number; value?: string; label?: string }[] }[];
}

function translate(error: unknown): never {
  if (!(error instanceof DingtalkOapiError)) throw error;
  const where = `${error.path} errcode ${error.errcode}`;
  if (forbidden.has(error.errcode)) throw new HrRosterError('forbidden', `智能人事拒绝此应用调用 / app not allowed to use smart HR (${where})`, false);
  throw new HrRosterError('platform', `智能人事调用失败 / smart HR call failed (${where})`, error.retryable);
}

/**
 * A date field's `value` is a calendar date (yyyy-MM-dd) in China, with no zone: read as midnight Asia/Shanghai
 * (+08:00, no DST) so it maps onto the port's epoch seconds and back without shifting a day.
 */
function valueOf(type: HrFieldType | undefined, raw: { value?: string; label?: string }): HrValue | null {
  const value = raw.value ?? '';
  if (value === '') return null;
  if (type === 'option' && /^\d+$/.test(value)) return { kind: 'option', optionId: Number(value) };
  if (type === 'time') {
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    if (match) return { kind: 'time', epochSeconds: Date.parse(`${match[1]}-${match[2]}-${match[3]}T00:00:00+08:00`) / 1000 };
  }
  // Text, or an option/date whose stored form is not one the port can carry: keep DingTalk's own text of it.
  return { kind: 'text', text: type === 'option' ? (raw.label ?? value) : value };
}

export interface DingtalkSmartHr extends HrRoster {
  /**
   * Every userid smart HR lists with one of `statuses` (all on-job statuses by default), each exactly once, following
   * next_cursor to the end. Staff who joined before 智能人事 was enabled and were never added to it are not listed.
   */
  listOnJob(statuses?: readonly OnJobStatus[]): Promise<string[]>;
}

export function dingtalkSmartHr(api: DingtalkOapi, agentId: string): DingtalkSmartHr {
  const agentid = Number(agentId);

  async function groups(): Promise<GroupMeta[]> {
    try {
      return (await api.post<{ result?: GroupMeta[] }>('/topapi/smartwork/hrm/employee/field/grouplist', { agentid })).result ?? [];
    } catch (error) {
      translate(error);
    }
  }

  async function hrFields(): Promise<HrField[]> {
    return (await groups()).flatMap((group) =>
      (group.field_list ?? []).map(
        (field): HrField => ({
          id: field.field_code,
          name: field.field_name ?? '',
          type: fieldTypes[field.field_type ?? 'TEXT'] ?? 'text',
          required: field.required === true,
          groupId: group.group_id,
          groupName: group.group_name ?? '',
          // Option keys are numeric strings on DingTalk; a non-numeric key cannot be an option id of the port.
          options: (field.option_list ?? []).filter((o) => /^\d+$/.test(o.key)).map((o) => ({ id: Number(o.key), text: o.value })),
        }),
      ),
    );
  }

  return {
    hrFields,

    async listOnJob(statuses = onJobStatuses) {
      const found = new Set<string>();
      let offset = 0;
      for (;;) {
        let result: { data_list?: string[]; next_cursor?: number } | undefined;
        try {
          result = (
            await api.post<{ result?: { data_list?: string[]; next_cursor?: number } }>('/topapi/smartwork/hrm/employee/queryonjob', {
              status_list: statuses.join(','),
              offset,
              size: pageSize,
            })
          ).result;
        } catch (error) {
          translate(error);
        }
        for (const userId of result?.data_list ?? []) found.add(userId);
        const next = result?.next_cursor;
        // The last page has no next_cursor; a cursor that does not move forward would loop for ever.
        if (next === undefined || next === null) return [...found];
        if (!Number.isInteger(next) || next <= offset) throw new HrRosterError('platform', `smart HR queryonjob returned a cursor that does not advance (${offset} → ${String(next)})`, false);
        offset = next;
      }
    },

    async hrRecord(userId, fields?: readonly HrFieldRef[]) {
      if (userId.includes(',')) throw new HrRosterError('unknown_user', 'a DingTalk userid cannot contain a comma', false);
      const codes = fields === undefined ? undefined : [...new Set(fields.map((f) => f.fieldId))];
      const body = {
        // Comma strings, not arrays: the old API binds list parameters from a String (platform.md §7.4).
        userid_list: userId,
        agentid,
        ...(codes !== undefined && codes.length > 0 ? { field_filter_list: codes.join(',') } : {}),
      };
      let answer: { result?: EmployeeFields[] };
      let meta: GroupMeta[];
      try {
        [answer, meta] = await Promise.all([api.post<{ result?: EmployeeFields[] }>('/topapi/smartwork/hrm/employee/v2/list', body), groups()]);
      } catch (error) {
        translate(error);
      }
      const record = (answer.result ?? []).find((e) => e.userid === userId);
      if (!record) {
        throw new HrRosterError('unknown_user', '成员不在智能人事花名册中 / member not on the smart HR roster (only staff present since 智能人事 was enabled)', false);
      }
      const typeOf = new Map(meta.flatMap((g) => (g.field_list ?? []).map((f) => [f.field_code, fieldTypes[f.field_type ?? 'TEXT'] ?? 'text'] as const)));
      const values: HrFieldValue[] = (record.field_data_list ?? []).flatMap((field): HrFieldValue[] => {
        const list = field.field_value_list ?? [];
        if (list.length === 0) return [{ fieldId: field.field_code, subIndex: 0, value: null }];
        return list.map((v) => ({ fieldId: field.field_code, subIndex: v.item_index ?? 0, value: valueOf(typeOf.get(field.field_code), v) }));
      });
      if (fields === undefined) return values;
      // DingTalk filters by field only; the entries of repeatable groups asked for are picked here.
      return fields.map(
        (ref): HrFieldValue =>
          values.find((v) => v.fieldId === ref.fieldId && v.subIndex === (ref.subIndex ?? 0)) ?? { fieldId: ref.fieldId, subIndex: ref.subIndex ?? 0, value: null },
      );
    },

    async updateHrRecord(_userId, updates) {
      if (updates.length === 0) return;
      // platform.md §7.4 names `/topapi/smartwork/hrm/employee/v2/update` but documents no request body (how groups,
      // repeatable sections and option values are written), and personnel files are not something to write by guess.
      throw new HrRosterError(
        'not_configured',
        `钉钉智能人事花名册暂不支持写入 / writing the DingTalk smart HR roster is not supported: employee/v2/update's request body is not documented in platform.md §7.4 (fields ${updates.map((u) => u.fieldId).join(',')})`,
        false,
        updates.map((u) => u.fieldId),
      );
    },
  };
}

/**
 * The smart HR roster of a tenant, from its `dingtalk_app` (the internal app needs the 智能人事 permissions).
 * v2/list and grouplist need the app's numeric AgentId, which platform_apps does not hold for DingTalk (agent_id is
 * the AppKey, app-identity.ts): `agentIdFor` supplies it. One client per app, reused so the token cache is hit.
 */
export function dingtalkHrRosterFor(deps: {
  findApp(tenantId: string): Promise<PlatformApp | undefined>;
  agentIdFor(app: PlatformApp): string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  tokens: TokenCache;
  log: Logger;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}): (tenantId: string) => Promise<DingtalkSmartHr> {
  const rosters = new Map<string, { secretRef: string; baseUrl: string; agentId: string; roster: DingtalkSmartHr }>();
  return async (tenantId) => {
    const app = await deps.findApp(tenantId);
    if (!app) throw new HrRosterError('not_configured', `tenant ${tenantId} has no dingtalk_app platform app (钉钉企业内部应用)`, false);
    const agentId = deps.agentIdFor(app);
    if (!agentId || !/^\d+$/.test(agentId)) throw new HrRosterError('not_configured', `DingTalk app ${app.id} has no numeric AgentId for smart HR`, false);
    const known = rosters.get(app.id);
    if (known && known.secretRef === app.secretRef && known.baseUrl === app.apiBaseUrl && known.agentId === agentId) return known.roster;
    let credentials;
    try {
      credentials = dingtalkCredentialsOf(app, deps.env);
    } catch (error) {
      if (error instanceof SecretUnavailableError || error instanceof DingtalkAppMisconfiguredError) throw new HrRosterError('not_configured', error.message, false);
      throw error;
    }
    const api = createDingtalkOapi({
      credentials,
      tokens: deps.tokens,
      log: deps.log,
      ...(deps.fetch && { fetch: deps.fetch }),
      ...(deps.sleep && { sleep: deps.sleep }),
    });
    const roster = dingtalkSmartHr(api, agentId);
    rosters.set(app.id, { secretRef: app.secretRef, baseUrl: app.apiBaseUrl, agentId, roster });
    return roster;
  };
}
