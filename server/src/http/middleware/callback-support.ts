import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { z } from 'zod';
import { SecretUnavailableError } from '../../adapters/platform/secret-ref';
import { CallbackRejectedError } from '../../adapters/wecom/callback-crypto';
import { AppError } from '../../domain/errors';
import type { FeatureContext } from '../../features/context';
import { findPlatformApp, type PlatformApp, type PlatformAppKind } from '../../features/platform';
import type { Logger } from '../../observability/logger';

/**
 * What every platform callback route shares: the raw body read with a small cap (platforms post small envelopes;
 * anything larger is not a callback), the app named in the path, and one answer for everything that does not
 * verify — before any write, and without saying which check failed.
 */
const callbackBodyLimitBytes = 64 * 1024;

export const callbackRejected = () => new AppError('CALLBACK_REJECTED', '回调校验失败。Callback verification failed.');
const noSuchCallback = () => new AppError('NOT_FOUND', '找不到该回调地址。No such callback.');
const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', '回调请求体过大。Callback body too large.');

export async function readCallbackBody(ctx: Context): Promise<string> {
  const declared = ctx.request.length;
  if (declared !== undefined && declared > callbackBodyLimitBytes) throw tooLarge();
  try {
    return await getRawBody(ctx.req, { limit: callbackBodyLimitBytes, length: declared, encoding: 'utf8' });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') throw tooLarge();
    throw new AppError('INVALID_JSON', '回调请求体无法读取。The body could not be read.');
  }
}

/**
 * The app a callback URL names, with what verifies its callbacks. A misconfigured app (missing secret) is logged
 * for the operator and answered like any unverifiable callback.
 */
export async function loadCallbackApp<C>(
  deps: { features: FeatureContext; log: Logger },
  rawId: string | undefined,
  kinds: readonly PlatformAppKind[],
  verifierFor: (app: PlatformApp) => C,
  misconfigured: readonly (new (...args: never[]) => Error)[] = [],
): Promise<{ app: PlatformApp; verifier: C }> {
  const id = z.uuid().safeParse(rawId);
  if (!id.success) throw noSuchCallback();
  const app = await findPlatformApp(deps.features, id.data);
  if (!app || !kinds.includes(app.kind)) throw noSuchCallback();
  try {
    return { app, verifier: verifierFor(app) };
  } catch (error) {
    if ([SecretUnavailableError, CallbackRejectedError, ...misconfigured].some((type) => error instanceof type)) {
      deps.log.error({ appId: app.id, kind: app.kind, reason: (error as Error).message }, 'callbacks of this app cannot be verified: it is misconfigured');
      throw callbackRejected();
    }
    throw error;
  }
}

/** Maps a verification failure to CALLBACK_REJECTED (logged with its reason); anything else passes through. */
export function rejectCallback(log: Logger, appId: string, error: unknown, rejections: readonly (new (...args: never[]) => Error)[]): never {
  if ([CallbackRejectedError, ...rejections].some((type) => error instanceof type)) {
    log.warn({ appId, reason: (error as Error).message }, 'platform callback rejected');
    throw callbackRejected();
  }
  throw error;
}
