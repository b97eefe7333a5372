import type { ScanOutcome } from './index';
import { codeFromScan } from './scan-code';

export { codeFromScan };

/** Replaced per platform (scan.weapp.ts, scan.h5.ts). */
export async function scanCheckinCode(): Promise<ScanOutcome> {
  return { code: null, message: '此平台不能扫码。This platform cannot scan.' };
}
