import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { HrRosterError, type HrField, type HrFieldType, type HrFieldValue, type HrRoster, type HrUpdate, type HrValue } from '../../ports/employee-directory';
import { resolveSecretRef } from '../platform/secret-ref';
import type { TokenCache } from '../postgres/token-cache';
import { createWecomApi, WecomApiError, type WecomApi } from './api-client';

/*
 * WeCom 人事助手 → 花名册 behind the HrRoster port.
 * Overview and who may call: https://developer.work.weixin.qq.com/document/path/99130 — only a self-built app added
 * under 人事助手 → 可调用接口的应用 (its secret is the tenant's `wecom_hr` platform app); any other token is refused.
 * get_fields https://developer.work.weixin.qq.com/document/path/99131
 * get_staff_info https://developer.work.weixin.qq.com/document/path/99132
 * update_staff_info https://developer.work.weixin.qq.com/document/path/99133
 * Values never reach a log line or an error message: only field ids and errcodes do.
 */

/** field_type of get_fields (99131). */
const fieldTypes: Readonly<Record<number, HrFieldType>> = { 1: 'text', 2: 'option', 3: 'time', 4: 'image', 5: 'file', 6: 'files' };

/**
 * value_type (字段值类型对照表, 99131/99132): 1 string, 2 uint64, 3 uint32, 4 int64, 5 mobile, 6 file. 1, 3, 5 and 6
 * are shown by the doc's examples; 2 and 4 are the two integer types it names for time fields [inference on numbering].
 */
const valueType = { string: 1, uint64: 2, uint32: 3, int64: 4, mobile: 5, file: 6 } as const;

/** Forbidden (48002), and an unknown or out-of-range userid (60111, 40003). https://developer.work.weixin.qq.com/document/path/90455 */
const forbidden = new Set([48002]);
const unknownUser = new Set([60111, 40003]);
/** The request names a field the platform does not let apps write, or a bad value/index (40058 in the simulator). */
const refusedRequest = new Set([40058]);

interface FieldInfo {
  fieldid: number;
  sub_idx?: number;
  result?: number;
  value_type?: number;
  value_string?: string;
  value_uint32?: number;
  value_uint64?: number | string;
  value_int64?: number | string;
  value_mobile?: { value_country_code?: string; value_mobile?: string };
  value_file?: { media_id?: string[] };
}

function valueOf(info: FieldInfo): HrValue | null {
  // result 1 = 成功 (99132); anything else carries no value.
  if (info.result !== undefined && info.result !== 1) return null;
  switch (info.value_type) {
    case valueType.string:
      return { kind: 'text', text: info.value_string ?? '' };
    case valueType.uint32:
      return { kind: 'option', optionId: Number(info.value_uint32 ?? 0) };
    case valueType.uint64:
      return { kind: 'time', epochSeconds: Number(info.value_uint64 ?? 0) };
    case valueType.int64:
      return { kind: 'time', epochSeconds: Number(info.value_int64 ?? 0) };
    case valueType.mobile:
      return { kind: 'mobile', countryCode: info.value_mobile?.value_country_code ?? '', number: info.value_mobile?.value_mobile ?? '' };
    case valueType.file:
      return { kind: 'files', mediaIds: info.value_file?.media_id ?? [] };
    default:
      return null;
  }
}

function wireValue(value: HrValue): Record<string, unknown> {
  switch (value.kind) {
    case 'text':
      return { value_string: value.text };
    case 'option':
      return { value_uint32: value.optionId };
    case 'time':
      // Dates before 1970 need the signed type; everything else the unsigned one the doc's time fields use.
      return value.epochSeconds < 0 ? { value_int64: value.epochSeconds } : { value_uint64: value.epochSeconds };
    case 'mobile':
      return { value_mobile: { value_country_code: value.countryCode, value_mobile: value.number } };
    case 'files':
      return { value_file: { media_id: [...value.mediaIds] } };
  }
}

function fieldIdNumber(id: string): number {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0) throw new HrRosterError('platform', `not a WeCom roster field id: ${id}`, false, [id]);
  return n;
}

/** Turns WeCom's errcodes into the port's error; the errmsg is kept out (it can echo request content). */
function translate(error: unknown, fieldIds: readonly string[] = []): never {
  if (!(error instanceof WecomApiError)) throw error;
  const where = `${error.path} errcode ${error.errcode}`;
  if (forbidden.has(error.errcode)) throw new HrRosterError('forbidden', `人事助手拒绝此应用调用 / app not allowed to use the HR roster (${where})`, false);
  if (unknownUser.has(error.errcode)) throw new HrRosterError('unknown_user', `成员不存在或不在可见范围 / member unknown or not visible (${where})`, false);
  if (refusedRequest.has(error.errcode) && error.path.endsWith('/update_staff_info')) {
    throw new HrRosterError('not_updatable', `花名册拒绝更新字段 ${fieldIds.join(',')} / roster refused the update (${where})`, false, fieldIds);
  }
  throw new HrRosterError('platform', `人事助手调用失败 / HR roster call failed (${where})`, error.retryable, fieldIds);
}

export function wecomHrRoster(api: WecomApi): HrRoster {
  return {
    async hrFields() {
      let answer: { group_list?: { group_id: number; group_name?: string; field_list?: { fieldid: number; field_name?: string; field_type?: number; is_must?: boolean; option_list?: { id: number; value: string }[] }[] }[] };
      try {
        answer = await api.get('/cgi-bin/hr/get_fields');
      } catch (error) {
        translate(error);
      }
      return (answer.group_list ?? []).flatMap((group) =>
        (group.field_list ?? []).map(
          (field): HrField => ({
            id: String(field.fieldid),
            name: field.field_name ?? '',
            // A type this adapter does not know is treated as text: readable, and never written by HireBridge.
            type: fieldTypes[field.field_type ?? 1] ?? 'text',
            required: field.is_must === true,
            groupId: String(group.group_id),
            groupName: group.group_name ?? '',
            options: (field.option_list ?? []).map((o) => ({ id: o.id, text: o.value })),
          }),
        ),
      );
    },

    async hrRecord(userId, fields) {
      const body =
        fields === undefined
          ? { userid: userId, get_all: true }
          : { userid: userId, get_all: false, fieldids: fields.map((f) => ({ fieldid: fieldIdNumber(f.fieldId), sub_idx: f.subIndex ?? 0 })) };
      let answer: { field_info?: FieldInfo[] };
      try {
        answer = await api.post('/cgi-bin/hr/get_staff_info', body);
      } catch (error) {
        translate(error);
      }
      return (answer.field_info ?? []).map((info): HrFieldValue => ({ fieldId: String(info.fieldid), subIndex: info.sub_idx ?? 0, value: valueOf(info) }));
    },

    async updateHrRecord(userId, updates: readonly HrUpdate[]) {
      if (updates.length === 0) return;
      const fieldIds = updates.map((u) => u.fieldId);
      const body = {
        userid: userId,
        update_items: updates.map((u) => ({ fieldid: fieldIdNumber(u.fieldId), sub_idx: u.subIndex ?? 0, ...wireValue(u.value) })),
      };
      try {
        await api.post('/cgi-bin/hr/update_staff_info', body);
      } catch (error) {
        translate(error, fieldIds);
      }
    },
  };
}

/**
 * The roster of a tenant, from its `wecom_hr` platform app (the secret of the self-built app added to 人事助手, a token
 * cache entry of its own). One client per app, reused so the token cache's memory copy is hit.
 */
export function wecomHrRosterFor(deps: {
  findApp(tenantId: string): Promise<PlatformApp | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  tokens: TokenCache;
  log: Logger;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}): (tenantId: string) => Promise<HrRoster> {
  const rosters = new Map<string, { secretRef: string; baseUrl: string; roster: HrRoster }>();
  return async (tenantId) => {
    const app = await deps.findApp(tenantId);
    if (!app) throw new HrRosterError('not_configured', `tenant ${tenantId} has no wecom_hr platform app (人事助手 secret)`, false);
    const known = rosters.get(app.id);
    if (known && known.secretRef === app.secretRef && known.baseUrl === app.apiBaseUrl) return known.roster;
    let secret: string;
    try {
      secret = resolveSecretRef(app.secretRef, { env: deps.env, demoAllowed: app.tenantIsDemo });
    } catch (error) {
      throw new HrRosterError('not_configured', (error as Error).message, false);
    }
    const api = createWecomApi({
      credentials: { appId: app.id, corpId: app.corpId, secret, baseUrl: app.apiBaseUrl },
      tokens: deps.tokens,
      log: deps.log,
      ...(deps.fetch && { fetch: deps.fetch }),
      ...(deps.sleep && { sleep: deps.sleep }),
    });
    const roster = wecomHrRoster(api);
    rosters.set(app.id, { secretRef: app.secretRef, baseUrl: app.apiBaseUrl, roster });
    return roster;
  };
}
