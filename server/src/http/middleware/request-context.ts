import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { AppError } from '../../domain/errors';
import { isConnectionError } from '../../adapters/postgres/pg-errors';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import { statusOf } from '../error-status';

export interface RequestState {
  requestId: string;
}

const safeRequestId = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Outermost middleware: request id, access log, metrics, and the one mapping from errors to `{code, message,
 * requestId}`. Only AppError messages reach the caller; anything else is logged and answered as INTERNAL.
 */
export function requestContext(log: Logger, metrics: Metrics): Middleware<RequestState> {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('x-request-id');
    const requestId = safeRequestId.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError('ROUTE_NOT_FOUND', '没有这个接口。No such route.');
      }
    } catch (caught) {
      let error: AppError;
      if (caught instanceof AppError) error = caught;
      else if (isConnectionError(caught)) {
        error = new AppError('DATABASE_UNAVAILABLE', '数据库暂时不可用，请稍后重试。The database is unavailable; try again shortly.');
      } else {
        log.error({ err: caught, requestId, method: ctx.method, route: ctx._matchedRoute }, 'unhandled error');
        error = new AppError('INTERNAL', '服务器内部错误。Internal error.');
      }
      if (error.code === 'INTERNAL' || error.code === 'DATABASE_UNAVAILABLE') {
        if (error.code === 'DATABASE_UNAVAILABLE') log.warn({ requestId, route: ctx._matchedRoute }, 'request failed: database unavailable');
      }
      ctx.status = statusOf[error.code];
      if (error.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(error.retryAfterSeconds));
      ctx.body = {
        code: error.code,
        message: error.message,
        requestId,
        ...(error.issues.length > 0 && { issues: error.issues }),
      };
      metrics.httpErrors.inc({ code: error.code });
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const routeName = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched';
      metrics.httpRequestDuration.observe({ method: ctx.method, route: routeName, status: String(ctx.status) }, seconds);
      log.info({ requestId, method: ctx.method, route: routeName, status: ctx.status, ms: Math.round(seconds * 1e4) / 10 }, 'request');
    }
  };
}
