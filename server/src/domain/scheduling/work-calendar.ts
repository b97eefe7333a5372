import { addDays, parseLocalDate, weekdayOf } from './zoned-time';

/**
 * Which local dates are working days: China's statutory holidays and make-up workdays (调休), announced each year by
 * the State Council General Office, merged with a tenant's own closed days and extra workdays.
 *
 * A year without national data is an error (naming the year), never silently "weekends only": a 2027 Spring Festival
 * week offered to candidates as ordinary weekdays would be worse than no offer. A caller can opt in to the
 * weekends-only fallback explicitly (`missingYear: 'weekends_only'`); days answered that way say so in `source`.
 */

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup_workday';

export interface DayInfo {
  readonly date: string;
  readonly kind: DayKind;
  /** Holiday name (春节, 国庆节, …) for `holiday`; for `makeup_workday`, the holiday it makes up for (调休上班). */
  readonly name?: string;
  /** national data, a tenant override, or the opted-in weekends-only fallback for a year without data. */
  readonly source: 'national' | 'tenant' | 'weekends_only_fallback';
}

export interface NationalHoliday {
  /** 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节 (or 国庆节、中秋节 when merged). */
  readonly name: string;
  /** First and last day off, inclusive, 'YYYY-MM-DD'. */
  readonly from: string;
  readonly to: string;
  /** Weekend days that are working days because of this holiday (调休上班). */
  readonly makeupWorkdays: readonly string[];
}

export interface NationalYear {
  readonly year: number;
  readonly notice: { readonly title: string; readonly docNumber: string; readonly published: string; readonly url: string };
  readonly holidays: readonly NationalHoliday[];
}

// 2025 — 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号），2024-11-12.
// https://www.gov.cn/zhengce/content/202411/content_6986382.htm (also in the policy library:
// https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm). Dates confirmed against the notice's full text as
// reprinted by Xinhua (m.gmw.cn/2024-11/12/content_1303894933.htm); the gov.cn URLs were taken from several
// independent public references, not fetched from gov.cn here. First year under the 2024 revision of
// 《全国年节及纪念日放假办法》 (除夕 and 5月2日 added).
const china2025: NationalYear = {
  year: 2025,
  notice: {
    title: '国务院办公厅关于2025年部分节假日安排的通知',
    docNumber: '国办发明电〔2024〕12号',
    published: '2024-11-12',
    url: 'https://www.gov.cn/zhengce/content/202411/content_6986382.htm',
  },
  holidays: [
    { name: '元旦', from: '2025-01-01', to: '2025-01-01', makeupWorkdays: [] },
    { name: '春节', from: '2025-01-28', to: '2025-02-04', makeupWorkdays: ['2025-01-26', '2025-02-08'] },
    { name: '清明节', from: '2025-04-04', to: '2025-04-06', makeupWorkdays: [] },
    { name: '劳动节', from: '2025-05-01', to: '2025-05-05', makeupWorkdays: ['2025-04-27'] },
    { name: '端午节', from: '2025-05-31', to: '2025-06-02', makeupWorkdays: [] },
    { name: '国庆节、中秋节', from: '2025-10-01', to: '2025-10-08', makeupWorkdays: ['2025-09-28', '2025-10-11'] },
  ],
};

// 2026 — 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号），2025-11-04.
// https://www.gov.cn/zhengce/content/202511/content_7047090.htm (policy library:
// https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm). Dates confirmed against the notice's full text as
// reprinted by Xinhua (politics.gmw.cn/2025-11/04/content_38391083.htm); the gov.cn URLs were taken from several
// independent public references, not fetched from gov.cn here.
const china2026: NationalYear = {
  year: 2026,
  notice: {
    title: '国务院办公厅关于2026年部分节假日安排的通知',
    docNumber: '国办发明电〔2025〕7号',
    published: '2025-11-04',
    url: 'https://www.gov.cn/zhengce/content/202511/content_7047090.htm',
  },
  holidays: [
    { name: '元旦', from: '2026-01-01', to: '2026-01-03', makeupWorkdays: ['2026-01-04'] },
    { name: '春节', from: '2026-02-15', to: '2026-02-23', makeupWorkdays: ['2026-02-14', '2026-02-28'] },
    { name: '清明节', from: '2026-04-04', to: '2026-04-06', makeupWorkdays: [] },
    { name: '劳动节', from: '2026-05-01', to: '2026-05-05', makeupWorkdays: ['2026-05-09'] },
    { name: '端午节', from: '2026-06-19', to: '2026-06-21', makeupWorkdays: [] },
    { name: '中秋节', from: '2026-09-25', to: '2026-09-27', makeupWorkdays: [] },
    { name: '国庆节', from: '2026-10-01', to: '2026-10-07', makeupWorkdays: ['2026-09-20', '2026-10-10'] },
  ],
};

// 2027 — NOT INCLUDED: no 国务院办公厅关于2027年部分节假日安排的通知 could be found (the notice is usually published in
// November of the year before). Add it here when it is published; until then 2027 dates throw
// WorkCalendarYearMissingError unless the caller opts in to the weekends-only fallback.

/** National data shipped with HireBridge, by year. */
export const chinaNationalCalendar: readonly NationalYear[] = [china2025, china2026];

export interface TenantDayOverride {
  /** 'YYYY-MM-DD' in the tenant's zone. */
  readonly date: string;
  /** `closed`: a company day off (年会, 团建, local holiday); `workday`: an extra working day. */
  readonly kind: 'closed' | 'workday';
  /** Shown to people, e.g. 公司年会. */
  readonly name?: string;
}

export interface WorkCalendar {
  readonly years: ReadonlySet<number>;
  readonly missingYear: 'error' | 'weekends_only';
  /** @internal lookups */
  readonly holidays: ReadonlyMap<string, string>;
  readonly makeupWorkdays: ReadonlyMap<string, string>;
  readonly overrides: ReadonlyMap<string, TenantDayOverride>;
}

export class WorkCalendarYearMissingError extends Error {
  readonly code = 'WORK_CALENDAR_YEAR_MISSING';
  constructor(
    readonly year: number,
    readonly knownYears: readonly number[],
  ) {
    super(
      `没有 ${year} 年的法定节假日数据（已有：${knownYears.join('、') || '无'}），请在国务院办公厅公布 ${year} 年节假日安排后补充 — ` +
        `no holiday data for ${year} (have: ${knownYears.join(', ') || 'none'}); add the State Council notice for ${year}, or opt in to missingYear: 'weekends_only'`,
    );
    this.name = 'WorkCalendarYearMissingError';
  }
}

function eachDate(from: string, to: string): string[] {
  const out: string[] = [];
  if (to < from) throw new RangeError(`holiday ${from}…${to} ends before it starts`);
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export function createWorkCalendar(
  options: {
    readonly national?: readonly NationalYear[];
    readonly overrides?: readonly TenantDayOverride[];
    readonly missingYear?: 'error' | 'weekends_only';
  } = {},
): WorkCalendar {
  const national = options.national ?? chinaNationalCalendar;
  const holidays = new Map<string, string>();
  const makeupWorkdays = new Map<string, string>();
  const years = new Set<number>();
  for (const y of national) {
    years.add(y.year);
    for (const h of y.holidays) {
      for (const d of eachDate(h.from, h.to)) holidays.set(d, h.name);
      for (const d of h.makeupWorkdays) {
        parseLocalDate(d);
        makeupWorkdays.set(d, h.name);
      }
    }
  }
  const overrides = new Map<string, TenantDayOverride>();
  for (const o of options.overrides ?? []) {
    parseLocalDate(o.date);
    overrides.set(o.date, o);
  }
  return { years, missingYear: options.missingYear ?? 'error', holidays, makeupWorkdays, overrides };
}

/** The national calendar shipped with HireBridge, no tenant overrides, missing years are errors. */
export const chinaWorkCalendar: WorkCalendar = createWorkCalendar();

/**
 * What kind of day a local date is. Tenant overrides win over national data (and answer even for a year without
 * national data); otherwise a year without data throws WorkCalendarYearMissingError unless the calendar opted in to
 * the weekends-only fallback.
 */
export function dayKind(localDate: string, calendar: WorkCalendar): DayInfo {
  const { year } = parseLocalDate(localDate);
  const weekday = weekdayOf(localDate);
  const weekend = weekday >= 6;
  const override = calendar.overrides.get(localDate);
  if (override) {
    if (override.kind === 'closed') return { date: localDate, kind: 'holiday', name: override.name ?? '公司休息日', source: 'tenant' };
    const ordinary = !weekend && !calendar.holidays.has(localDate);
    return ordinary
      ? { date: localDate, kind: 'workday', source: 'tenant' }
      : { date: localDate, kind: 'makeup_workday', name: override.name ?? '公司安排上班', source: 'tenant' };
  }
  if (!calendar.years.has(year)) {
    if (calendar.missingYear === 'error') throw new WorkCalendarYearMissingError(year, [...calendar.years].sort((a, b) => a - b));
    return { date: localDate, kind: weekend ? 'weekend' : 'workday', source: 'weekends_only_fallback' };
  }
  const holiday = calendar.holidays.get(localDate);
  if (holiday !== undefined) return { date: localDate, kind: 'holiday', name: holiday, source: 'national' };
  const makeup = calendar.makeupWorkdays.get(localDate);
  if (makeup !== undefined) return { date: localDate, kind: 'makeup_workday', name: makeup, source: 'national' };
  return { date: localDate, kind: weekend ? 'weekend' : 'workday', source: 'national' };
}

export function isWorkday(localDate: string, calendar: WorkCalendar): boolean {
  const kind = dayKind(localDate, calendar).kind;
  return kind === 'workday' || kind === 'makeup_workday';
}

/** A short Chinese description of a non-working day, for reasons shown to HR and candidates. */
export function describeDay(info: DayInfo): string {
  switch (info.kind) {
    case 'holiday':
      return info.source === 'tenant' ? `${info.date} 公司休息（${info.name ?? ''}）` : `${info.date} 是${info.name ?? '法定节假日'}假期`;
    case 'weekend':
      return `${info.date} 是周末`;
    case 'makeup_workday':
      return `${info.date} 调休上班（${info.name ?? ''}）`;
    case 'workday':
      return `${info.date} 是工作日`;
  }
}
