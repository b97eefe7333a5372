import type { PartOfDay } from './types';

/** Parts of a day as local minutes after midnight. Data, not logic: change here, nowhere else. */
export const partWindows: Readonly<Record<PartOfDay, { readonly label: string; readonly start: number; readonly end: number }>> = {
  early: { label: '凌晨', start: 0, end: 6 * 60 },
  morning: { label: '早上', start: 8 * 60, end: 12 * 60 },
  am: { label: '上午', start: 9 * 60, end: 12 * 60 },
  noon: { label: '中午', start: 12 * 60, end: 13 * 60 + 30 },
  pm: { label: '下午', start: 13 * 60, end: 18 * 60 },
  dusk: { label: '傍晚', start: 17 * 60, end: 19 * 60 },
  evening: { label: '晚上', start: 18 * 60, end: 21 * 60 },
};

/** A whole day said without a time (后天, 3月5日) means its working hours. */
export const workingHours = { start: 9 * 60, end: 18 * 60 } as const;

/**
 * How a clock hour said with a part of day maps to 0–24 (undefined: the two contradict, e.g. 上午15点).
 * 晚上12点 is the midnight at the end of that day (24).
 */
export function hourWithPart(hour: number, part: PartOfDay): number | undefined {
  switch (part) {
    case 'early':
      return hour <= 6 ? hour : hour === 12 || hour === 24 ? 0 : undefined;
    case 'morning':
      return hour >= 4 && hour <= 11 ? hour : undefined;
    case 'am':
      return hour >= 1 && hour <= 12 ? hour : undefined;
    case 'noon':
      return hour === 11 || hour === 12 || hour === 13 || hour === 14 ? hour : hour === 1 || hour === 2 ? hour + 12 : undefined;
    case 'pm':
      return hour >= 1 && hour <= 11 ? hour + 12 : hour >= 12 && hour <= 23 ? hour : undefined;
    case 'dusk':
      return hour >= 4 && hour <= 8 ? hour + 12 : hour >= 16 && hour <= 20 ? hour : undefined;
    case 'evening':
      if (hour >= 5 && hour <= 11) return hour + 12;
      if (hour === 12 || hour === 0 || hour === 24) return 24;
      return hour >= 17 && hour <= 23 ? hour : undefined;
  }
}
