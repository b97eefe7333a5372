import type { Corp } from './corp';
import { WecomApiError, errcodes } from './errors';
import type { WecomState } from './state';
import type { Grant } from './tokens';

/**
 * WeCom 人事助手 → 花名册 (the HR roster), on https://qyapi.weixin.qq.com paths:
 * - GET  /cgi-bin/hr/get_fields          https://developer.work.weixin.qq.com/document/path/99131
 * - POST /cgi-bin/hr/get_staff_info      https://developer.work.weixin.qq.com/document/path/99132
 * - POST /cgi-bin/hr/update_staff_info   https://developer.work.weixin.qq.com/document/path/99133
 * What the real service enforces and the simulator copies: only a self-built app added under 人事助手 → 可调用接口的应用
 * may call (99130) — any other token (another app, the contacts-sync or kf secret) gets 48002; the member must exist;
 * some fields cannot be updated; repeatable groups (1 教育经历, 2 工作经历, 3 家庭成员, 4 紧急联系人, 5 合同信息) hold
 * entries addressed by sub_idx, added with insert_items and removed with remove_items; fields outside them use
 * sub_idx 0. "Chosen" (the docs give no per-API table): 40058 for an unknown field, a non-updatable field, a value of
 * the wrong type, an unknown option or sub_idx, an empty request; result 2 in get_staff_info for a field or entry
 * that does not exist. A refused update changes nothing (the request is applied whole or not at all).
 * value_type: 1 string, 2 uint64, 3 uint32, 4 int64, 5 mobile, 6 file (99131's 字段值类型对照表; 2 and 4 by inference).
 */

export type SimHrFieldType = 1 | 2 | 3 | 4 | 5 | 6;
export type SimHrValueType = 1 | 2 | 3 | 4 | 5 | 6;

export interface SimHrFieldInput {
  readonly fieldid: number;
  readonly name: string;
  /** 1 text, 2 option, 3 time, 4 image, 5 file, 6 files. */
  readonly type: SimHrFieldType;
  readonly valueType: SimHrValueType;
  readonly isMust?: boolean;
  readonly options?: readonly { readonly id: number; readonly value: string }[];
  /** false for a field in WeCom's 不支持更新字段表; default true. */
  readonly updatable?: boolean;
}

export interface SimHrGroupInput {
  readonly groupId: number;
  readonly name: string;
  /** group_type of a repeatable group (1–5); absent for a plain group. */
  readonly groupType?: 1 | 2 | 3 | 4 | 5;
  readonly fields: readonly SimHrFieldInput[];
}

/** A value as WeCom carries it: value_type and the one value_* member it names. */
export type SimHrWireValue = { value_type: number } & Record<string, unknown>;

interface StaffRecord {
  readonly plain: Map<number, SimHrWireValue>;
  /** group_type → entries in sub_idx order, each fieldid → value. */
  readonly entries: Map<number, Map<number, SimHrWireValue>[]>;
}

interface CorpRoster {
  readonly agentIds: Set<number>;
  groups: SimHrGroupInput[];
  readonly staff: Map<string, StaffRecord>;
}

/** A roster like a new WeCom tenant's, small: identity fields not updatable, a job group, two repeatable groups. */
export const defaultHrGroups: readonly SimHrGroupInput[] = [
  {
    groupId: 1001,
    name: '个人信息',
    fields: [
      { fieldid: 11001, name: '姓名', type: 1, valueType: 1, isMust: true, updatable: false },
      { fieldid: 11003, name: '手机', type: 1, valueType: 5, isMust: true, updatable: false },
      { fieldid: 11004, name: '性别', type: 2, valueType: 3, options: [{ id: 1, value: '男' }, { id: 2, value: '女' }] },
    ],
  },
  {
    groupId: 1002,
    name: '在职信息',
    fields: [
      { fieldid: 12001, name: '部门', type: 1, valueType: 1 },
      {
        fieldid: 12010,
        name: '职位',
        type: 2,
        valueType: 3,
        options: [
          { id: 1, value: '总经理' },
          { id: 2, value: '秘书' },
          { id: 3, value: '后端工程师' },
          { id: 4, value: '产品经理' },
        ],
      },
      { fieldid: 12018, name: '入职日期', type: 3, valueType: 2 },
      { fieldid: 12024, name: '工号', type: 1, valueType: 1, isMust: true },
    ],
  },
  {
    groupId: 1004,
    name: '教育经历',
    groupType: 1,
    fields: [
      { fieldid: 14001, name: '学校', type: 1, valueType: 1 },
      { fieldid: 14002, name: '学历', type: 2, valueType: 3, options: [{ id: 1, value: '本科' }, { id: 2, value: '硕士' }] },
    ],
  },
  {
    groupId: 1007,
    name: '紧急联系人',
    groupType: 4,
    fields: [
      { fieldid: 17001, name: '姓名', type: 1, valueType: 1 },
      { fieldid: 17002, name: '关系', type: 2, valueType: 3, options: [{ id: 1, value: '父母' }, { id: 2, value: '配偶' }] },
      { fieldid: 17003, name: '电话', type: 1, valueType: 5 },
    ],
  },
];

const valueKeys: Readonly<Record<number, string>> = { 1: 'value_string', 2: 'value_uint64', 3: 'value_uint32', 4: 'value_int64', 5: 'value_mobile', 6: 'value_file' };

const asRecord = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const bad = (detail: string) => new WecomApiError(errcodes.invalidParameter, detail);

function emptyValue(valueType: number): SimHrWireValue {
  switch (valueType) {
    case 1:
      return { value_type: 1, value_string: '' };
    case 5:
      return { value_type: 5, value_mobile: { value_country_code: '', value_mobile: '' } };
    case 6:
      return { value_type: 6, value_file: { media_id: [] } };
    default:
      return { value_type: valueType, [valueKeys[valueType] ?? 'value_uint32']: 0 };
  }
}

/** Reads the value_* of `item` for `field`; undefined when the item carries none (which clears the field). */
function readValue(field: SimHrFieldInput, item: Record<string, unknown>): SimHrWireValue | undefined {
  const present = Object.keys(item).filter((k) => k.startsWith('value_'));
  if (present.length === 0) return undefined;
  // Time fields accept either integer type (99131: 64位非负整数类型 或 64位整数类型).
  const accepted = field.type === 3 ? ['value_uint64', 'value_int64'] : [valueKeys[field.valueType]];
  const key = present.find((k) => accepted.includes(k));
  if (!key || present.length > 1) throw bad(`fieldid ${field.fieldid}: value of the wrong type`);
  const raw = item[key];
  switch (key) {
    case 'value_string':
      if (typeof raw !== 'string') throw bad(`fieldid ${field.fieldid}: value_string`);
      return { value_type: 1, value_string: raw };
    case 'value_uint32': {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw bad(`fieldid ${field.fieldid}: value_uint32`);
      if (field.type === 2 && !(field.options ?? []).some((o) => o.id === n)) throw bad(`fieldid ${field.fieldid}: unknown option ${n}`);
      return { value_type: 3, value_uint32: n };
    }
    case 'value_uint64':
    case 'value_int64': {
      const n = Number(raw);
      if (!Number.isInteger(n) || (key === 'value_uint64' && n < 0)) throw bad(`fieldid ${field.fieldid}: ${key}`);
      return { value_type: key === 'value_uint64' ? 2 : 4, [key]: n };
    }
    case 'value_mobile': {
      const m = asRecord(raw);
      if (typeof m.value_mobile !== 'string') throw bad(`fieldid ${field.fieldid}: value_mobile`);
      return { value_type: 5, value_mobile: { value_country_code: String(m.value_country_code ?? ''), value_mobile: m.value_mobile } };
    }
    default: {
      const ids = asRecord(raw).media_id;
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw bad(`fieldid ${field.fieldid}: value_file`);
      return { value_type: 6, value_file: { media_id: [...ids] } };
    }
  }
}

export class WecomHrStore {
  readonly corps = new Map<string, CorpRoster>();
  /** update_staff_info calls that changed a record. */
  updatesApplied = 0;

  constructor(private readonly state: WecomState) {}

  /** Adds the app `agentIds` to the corp's 人事助手 → 可调用接口的应用, with the roster's field groups. */
  enable(corpId: string, options: { agentIds: readonly number[]; groups?: readonly SimHrGroupInput[] }): void {
    this.state.corp(corpId);
    const existing = this.corps.get(corpId);
    const groups = [...(options.groups ?? existing?.groups ?? defaultHrGroups)];
    if (existing) {
      for (const id of options.agentIds) existing.agentIds.add(id);
      existing.groups = groups;
    } else this.corps.set(corpId, { agentIds: new Set(options.agentIds), groups, staff: new Map() });
  }

  /** Sets plain fields of a member's record, e.g. `{ 12024: 'E001' }`; values of repeatable groups via `addEntry`. */
  setStaff(corpId: string, userid: string, values: Readonly<Record<number, string | number>>): void {
    const roster = this.roster(corpId);
    const record = this.record(roster, userid);
    for (const [id, value] of Object.entries(values)) {
      const field = this.plainField(roster, Number(id));
      const key = valueKeys[field.valueType] ?? 'value_string';
      record.plain.set(field.fieldid, key === 'value_mobile' ? { value_type: 5, value_mobile: { value_country_code: '86', value_mobile: String(value) } } : { value_type: field.valueType, [key]: value });
    }
  }

  /** Appends an entry to a repeatable group of the member's record; returns its sub_idx. */
  addEntry(corpId: string, userid: string, groupType: number, values: Readonly<Record<number, string | number>>): number {
    const roster = this.roster(corpId);
    const group = roster.groups.find((g) => g.groupType === groupType);
    if (!group) throw new Error(`no repeatable group ${groupType}`);
    const entry = new Map<number, SimHrWireValue>();
    for (const [id, value] of Object.entries(values)) {
      const field = group.fields.find((f) => f.fieldid === Number(id));
      if (!field) throw new Error(`field ${id} is not in group ${groupType}`);
      const key = valueKeys[field.valueType] ?? 'value_string';
      entry.set(field.fieldid, key === 'value_mobile' ? { value_type: 5, value_mobile: { value_country_code: '86', value_mobile: String(value) } } : { value_type: field.valueType, [key]: value });
    }
    const list = this.record(roster, userid).entries.get(groupType) ?? [];
    list.push(entry);
    this.record(roster, userid).entries.set(groupType, list);
    return list.length - 1;
  }

  /** The member's stored record: plain field id → value, and each repeatable group's entries. */
  staffRecord(corpId: string, userid: string): { plain: Record<number, SimHrWireValue>; entries: Record<number, Record<number, SimHrWireValue>[]> } {
    const record = this.roster(corpId).staff.get(userid.toLowerCase());
    const plain = Object.fromEntries(record?.plain ?? []);
    const entries = Object.fromEntries([...(record?.entries ?? [])].map(([type, list]) => [type, list.map((e) => Object.fromEntries(e))]));
    return { plain, entries };
  }

  // --- the API handlers ---

  /** 48002 unless the token is an app's and the app was added to 人事助手 (99130). */
  authorise(corp: Corp, grant: Grant): CorpRoster {
    const roster = this.corps.get(corp.config.corpId);
    if (!roster || grant.kind !== 'app' || !roster.agentIds.has(grant.agentId)) throw new WecomApiError(errcodes.apiForbidden, 'app not added to 人事助手');
    return roster;
  }

  getFields(corp: Corp, grant: Grant) {
    const roster = this.authorise(corp, grant);
    return {
      group_list: roster.groups.map((g) => ({
        group_id: g.groupId,
        group_name: g.name,
        field_list: g.fields.map((f) => ({
          fieldid: f.fieldid,
          field_name: f.name,
          field_type: f.type,
          value_type: f.valueType,
          is_must: f.isMust === true,
          ...(f.type === 2 ? { option_list: (f.options ?? []).map((o) => ({ id: o.id, value: o.value })) } : {}),
        })),
      })),
    };
  }

  getStaffInfo(corp: Corp, grant: Grant, body: Record<string, unknown>) {
    const roster = this.authorise(corp, grant);
    const userid = this.member(corp, body.userid);
    const record = this.record(roster, userid);
    const info: Record<string, unknown>[] = [];
    if (body.get_all === true) {
      for (const group of roster.groups) {
        if (group.groupType === undefined) {
          for (const f of group.fields) info.push({ fieldid: f.fieldid, sub_idx: 0, result: 1, ...(record.plain.get(f.fieldid) ?? emptyValue(f.valueType)) });
        } else {
          (record.entries.get(group.groupType) ?? []).forEach((entry, subIdx) => {
            for (const f of group.fields) info.push({ fieldid: f.fieldid, sub_idx: subIdx, result: 1, ...(entry.get(f.fieldid) ?? emptyValue(f.valueType)) });
          });
        }
      }
      return { field_info: info };
    }
    const wanted = body.fieldids;
    if (!Array.isArray(wanted) || wanted.length === 0) throw bad('fieldids');
    for (const raw of wanted) {
      const item = asRecord(raw);
      const fieldid = Number(item.fieldid);
      const subIdx = Number(item.sub_idx ?? 0);
      const located = this.locate(roster, fieldid);
      if (!located) {
        info.push({ fieldid, sub_idx: subIdx, result: 2 });
        continue;
      }
      const { group, field } = located;
      const source = group.groupType === undefined ? (subIdx === 0 ? record.plain : undefined) : record.entries.get(group.groupType)?.[subIdx];
      if (!source) info.push({ fieldid, sub_idx: subIdx, result: 2 });
      else info.push({ fieldid, sub_idx: subIdx, result: 1, ...(source.get(fieldid) ?? emptyValue(field.valueType)) });
    }
    return { field_info: info };
  }

  updateStaffInfo(corp: Corp, grant: Grant, body: Record<string, unknown>) {
    const roster = this.authorise(corp, grant);
    const userid = this.member(corp, body.userid);
    const record = this.record(roster, userid);
    const updates = Array.isArray(body.update_items) ? body.update_items.map(asRecord) : [];
    const removes = Array.isArray(body.remove_items) ? body.remove_items.map(asRecord) : [];
    const inserts = Array.isArray(body.insert_items) ? body.insert_items.map(asRecord) : [];
    if (updates.length + removes.length + inserts.length === 0) throw bad('update_items, remove_items and insert_items are all empty');

    // Validate everything first: a refused request changes nothing.
    const plannedUpdates = updates.map((item) => {
      const fieldid = Number(item.fieldid);
      const subIdx = Number(item.sub_idx ?? 0);
      const located = this.locate(roster, fieldid);
      if (!located) throw bad(`fieldid ${fieldid} does not exist`);
      if (located.field.updatable === false) throw bad(`fieldid ${fieldid} can not be updated`);
      const { group, field } = located;
      if (group.groupType === undefined) {
        if (subIdx !== 0) throw bad(`fieldid ${fieldid}: sub_idx must be 0`);
      } else if (!Number.isInteger(subIdx) || subIdx < 0 || subIdx >= (record.entries.get(group.groupType)?.length ?? 0)) {
        throw bad(`fieldid ${fieldid}: no entry ${subIdx}`);
      }
      return { group, field, subIdx, value: readValue(field, item) };
    });
    const plannedRemoves = removes.map((item) => {
      const groupType = Number(item.group_type);
      const subIdx = Number(item.sub_idx);
      const count = record.entries.get(groupType)?.length ?? 0;
      if (!roster.groups.some((g) => g.groupType === groupType)) throw bad(`group_type ${groupType}`);
      if (!Number.isInteger(subIdx) || subIdx < 0 || subIdx >= count) throw bad(`group_type ${groupType}: no entry ${subIdx}`);
      return { groupType, subIdx };
    });
    const plannedInserts = inserts.map((item) => {
      const groupType = Number(item.group_type);
      const group = roster.groups.find((g) => g.groupType === groupType);
      if (!group) throw bad(`group_type ${groupType}`);
      const entry = new Map<number, SimHrWireValue>();
      for (const raw of Array.isArray(item.item) ? item.item.map(asRecord) : []) {
        const field = group.fields.find((f) => f.fieldid === Number(raw.fieldid));
        if (!field) throw bad(`fieldid ${String(raw.fieldid)} is not in group_type ${groupType}`);
        const value = readValue(field, raw);
        if (value) entry.set(field.fieldid, value);
      }
      if (entry.size === 0) throw bad(`group_type ${groupType}: empty item`);
      return { groupType, entry };
    });

    for (const { group, field, subIdx, value } of plannedUpdates) {
      const target = group.groupType === undefined ? record.plain : record.entries.get(group.groupType)![subIdx]!;
      if (value) target.set(field.fieldid, value);
      else target.delete(field.fieldid);
    }
    // Removing from the highest sub_idx down keeps the indexes of the request meaning what the caller read.
    for (const { groupType, subIdx } of [...plannedRemoves].sort((a, b) => b.subIdx - a.subIdx)) record.entries.get(groupType)!.splice(subIdx, 1);
    for (const { groupType, entry } of plannedInserts) {
      const list = record.entries.get(groupType) ?? [];
      list.push(entry);
      record.entries.set(groupType, list);
    }
    this.updatesApplied++;
    return {};
  }

  private roster(corpId: string): CorpRoster {
    const roster = this.corps.get(corpId);
    if (!roster) throw new Error(`人事助手 is not enabled for ${corpId}: call enable() first`);
    return roster;
  }

  private record(roster: CorpRoster, userid: string): StaffRecord {
    const key = userid.toLowerCase();
    let record = roster.staff.get(key);
    if (!record) {
      record = { plain: new Map(), entries: new Map() };
      roster.staff.set(key, record);
    }
    return record;
  }

  private member(corp: Corp, userid: unknown): string {
    if (typeof userid !== 'string' || !corp.member(userid)) throw new WecomApiError(errcodes.userIdNotFound);
    return userid;
  }

  private locate(roster: CorpRoster, fieldid: number): { group: SimHrGroupInput; field: SimHrFieldInput } | undefined {
    for (const group of roster.groups) {
      const field = group.fields.find((f) => f.fieldid === fieldid);
      if (field) return { group, field };
    }
    return undefined;
  }

  private plainField(roster: CorpRoster, fieldid: number): SimHrFieldInput {
    const located = this.locate(roster, fieldid);
    if (!located || located.group.groupType !== undefined) throw new Error(`field ${fieldid} is not a plain roster field`);
    return located.field;
  }
}

const stores = new WeakMap<WecomState, WecomHrStore>();

/** The roster state of a simulated WeCom (`wecomHrOf(sim.wecom.state)` in tests). */
export function wecomHrOf(state: WecomState): WecomHrStore {
  let store = stores.get(state);
  if (!store) {
    store = new WecomHrStore(state);
    stores.set(state, store);
  }
  return store;
}
