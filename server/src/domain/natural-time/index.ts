export { parseTime, examplesHint, nonWorkdayWarning } from './parse-time';
export { renderTime } from './render';
export { partWindows, workingHours } from './windows';
export type * from './types';
