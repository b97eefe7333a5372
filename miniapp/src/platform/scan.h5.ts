import type { ScanOutcome } from './index';
import { codeFromScan } from './scan-code';

export { codeFromScan };

/** A web page has no scanner: the reception QR code opens this page with the code in its URL instead. */
export async function scanCheckinCode(): Promise<ScanOutcome> {
  return { code: null, message: '请用微信“扫一扫”扫描前台的签到码，会自动打开本页面。Scan the reception QR code with WeChat; it opens this page.' };
}
