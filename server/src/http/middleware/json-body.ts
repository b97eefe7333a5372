import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { AppError } from '../../domain/errors';

/**
 * Reads a JSON body up to `limitBytes`. Larger bodies are refused with 413 as soon as the declared length or the
 * bytes read pass the limit, without buffering the rest.
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  const length = ctx.request.length;
  const chunked = ctx.get('transfer-encoding') !== '';
  if (!chunked && (length === undefined || length === 0)) return undefined;
  if (!ctx.is('application/json')) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请求体必须是 JSON（Content-Type: application/json）。The body must be application/json.');
  }
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: limitBytes, length, encoding: 'utf8' });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') {
      throw new AppError('PAYLOAD_TOO_LARGE', `请求体超过 ${Math.round(limitBytes / 1024)} KB 上限。The body exceeds the ${Math.round(limitBytes / 1024)} KB limit.`);
    }
    throw new AppError('INVALID_JSON', '请求体无法读取。The body could not be read.');
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('INVALID_JSON', '请求体不是有效的 JSON。The body is not valid JSON.');
  }
}
