import Taro from '@tarojs/taro';
import type { ScanOutcome } from './index';
import { codeFromScan } from './scan-code';

export { codeFromScan };

/** The camera reads the reception QR code (its URL carries the day's code for that site). */
export async function scanCheckinCode(): Promise<ScanOutcome> {
  try {
    const { result } = await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] });
    const code = codeFromScan(result);
    return code ? { code } : { code: null, message: '这不是招聘桥的签到码。This is not a HireBridge check-in code.' };
  } catch {
    return { code: null, message: '已取消扫码。Scanning was cancelled.' };
  }
}
