import type { DingtalkApi } from './api-client';
import { dingtalkHostsOf } from './hosts';

/**
 * Uploads an image to DingTalk's media store (old API): `POST https://oapi.dingtalk.com/media/upload?access_token=…
 * &type=image`, multipart/form-data with the file in the field `media` → `{errcode: 0, media_id: "@lA…", type,
 * created_at}`. The media_id is what the app robot's `sampleImageMsg` takes as `photoURL` (a URL the robot fetches
 * would have to be public; the server publishes none).
 * Sources: https://open.dingtalk.com/document/orgapp/upload-media-files ; the field name `media` and `type=image` in
 * the query from developers' reports (developer.aliyun.com/ask/270597: errcode 40004 "不合法的媒体文件类型" when
 * `type` is missing); photoURL = media_id as used by bubbuild/bub-contrib PR #44 and agentscope-ai/QwenPaw PR #5599,
 * which also give the image limits used here: jpg/gif/png/bmp, ≤ 20 MB (older copies of the doc say 1 MB; HireBridge's
 * charts are PNGs of a few tens of KB and the neutral message caps images at 2 MB).
 */
export const maxDingtalkImageBytes = 20 * 1024 * 1024;

export class DingtalkMediaUploadError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly retryable: boolean,
  ) {
    super(`DingTalk media/upload failed: errcode ${errcode} ${errmsg}`);
    this.name = 'DingtalkMediaUploadError';
  }
}

const tokenErrcodes = new Set([40001, 40014, 42001]);
const busyErrcodes = new Set([-1, 88, 90002, 90006, 90018]);

export async function uploadDingtalkImage(
  deps: { api: DingtalkApi; baseUrl: string; fetch?: typeof fetch; timeoutMs?: number },
  image: { bytes: Uint8Array; filename: string; contentType: 'image/png' | 'image/jpeg' },
): Promise<{ mediaId: string }> {
  if (image.bytes.length > maxDingtalkImageBytes) throw new DingtalkMediaUploadError(40006, 'image larger than DingTalk accepts', false);
  const doFetch = deps.fetch ?? fetch;
  const once = async (token: string) => {
    const url = new URL('/media/upload', dingtalkHostsOf(deps.baseUrl).oapi);
    url.searchParams.set('access_token', token);
    url.searchParams.set('type', 'image');
    const form = new FormData();
    form.append('media', new Blob([image.bytes], { type: image.contentType }), image.filename);
    let response: Response;
    try {
      response = await doFetch(url, { method: 'POST', headers: { accept: 'application/json' }, body: form, signal: AbortSignal.timeout(deps.timeoutMs ?? 20_000) });
    } catch (error) {
      throw new DingtalkMediaUploadError(0, `network: ${(error as Error).message}`, true);
    }
    let answer: Record<string, unknown>;
    try {
      answer = (await response.json()) as Record<string, unknown>;
    } catch {
      throw new DingtalkMediaUploadError(response.status, 'answer is not JSON', true);
    }
    const errcode = Number(answer.errcode ?? (response.ok ? 0 : response.status));
    if (errcode !== 0) throw new DingtalkMediaUploadError(errcode, String(answer.errmsg ?? answer.message ?? ''), busyErrcodes.has(errcode) || response.status >= 500);
    if (typeof answer.media_id !== 'string' || answer.media_id.length === 0) throw new DingtalkMediaUploadError(0, 'no media_id in the answer', true);
    return { mediaId: answer.media_id };
  };
  const token = await deps.api.accessToken();
  try {
    return await once(token);
  } catch (error) {
    if (error instanceof DingtalkMediaUploadError && tokenErrcodes.has(error.errcode)) return once(await deps.api.replaceToken(token));
    throw error;
  }
}
