import Router from '@koa/router';
import Koa from 'koa';
import type { z } from 'zod';
import { AppError, type FieldIssue } from '../domain/errors';
import type { AnyPrincipal } from '../domain/principal';
import type { FeatureContext } from '../features/context';
import { authenticate } from '../features/sessions';
import type { Logger } from '../observability/logger';
import { createMetrics, type Metrics } from '../observability/metrics';
import { readJsonBody } from './middleware/json-body';
import { requestContext, type RequestState } from './middleware/request-context';
import { buildOpenApi } from './openapi';
import { staticSite } from './static-site';
import type { RouteSpec } from './route';
import type { JsapiSignerFor } from '../ports/jsapi-signer';
import { hrRoutes } from './routes/hr';
import { identityRoutes } from './routes/identity';
import { candidateRoutes, privacyRoutes } from './routes/privacy';
import { interviewRoutes } from './routes/interviews';
import { platformRoutes } from './routes/platform';
import { botRoutes } from './routes/bot';
import { copilotRoutes } from './routes/copilot';
import { systemRoutes, type ReadinessProbe } from './routes/system';
import { mountWecomCallbacks } from './routes/wecom-callbacks';
import { mountWecomAibotCallbacks } from './routes/wecom-aibot-callbacks';
import { mountDingtalkCallbacks } from './routes/dingtalk-callbacks';

export interface AppDeps {
  readonly features: FeatureContext;
  readonly log: Logger;
  readonly readiness: ReadinessProbe;
  readonly http: { readonly bodyLimitBytes: number; readonly trustProxy: boolean };
  readonly devLogin: boolean;
  readonly metrics?: Metrics;
  readonly version?: string;
  /** Where `env:` secret references of platform apps are read from (process.env in production). */
  readonly secretsEnv?: Readonly<Record<string, string | undefined>>;
  /** WeCom JS-SDK signatures per tenant; the route is not mounted without it. */
  readonly jsapiSignerFor?: JsapiSignerFor;
  /** Our public URL (HB_PUBLIC_URL): only pages under it get JS-SDK signatures. */
  readonly publicUrl?: string;
  /** The built H5 mini-app, served under /h5 (HB_MINIAPP_DIR). */
  readonly h5Dir?: string;
}

export interface HireBridgeApp {
  readonly koa: Koa<RequestState>;
  readonly routes: readonly RouteSpec[];
  readonly metrics: Metrics;
  callback(): ReturnType<Koa['callback']>;
}

function issuesOf(error: z.ZodError, prefix: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, prefix: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AppError('VALIDATION_FAILED', '请求参数不正确。The request has invalid fields.', issuesOf(result.error, prefix));
  }
  return result.data;
}

const bearer = /^Bearer ([A-Za-z0-9_-]+)$/;

/** Builds the Koa application without listening: tests drive `callback()` directly. */
export function createApp(deps: AppDeps): HireBridgeApp {
  const metrics = deps.metrics ?? createMetrics();
  const koa = new Koa<RequestState>({ proxy: deps.http.trustProxy });
  // Errors are answered by requestContext; Koa's own handler would print stack traces to stderr.
  koa.silent = true;

  const routes: RouteSpec[] = [];
  const openApi = () => buildOpenApi(routes, { version: deps.version ?? '0.1.0' });
  const metricsText = async () => metrics.registry.metrics();
  routes.push(
    ...systemRoutes(deps.readiness, metricsText, openApi),
    ...hrRoutes,
    ...identityRoutes({ publicUrl: deps.publicUrl ?? 'http://127.0.0.1:3000' }),
    ...candidateRoutes,
    ...privacyRoutes,
    ...interviewRoutes({ publicUrl: deps.publicUrl ?? 'http://127.0.0.1:3000' }),
    ...platformRoutes({ jsapiSignerFor: deps.jsapiSignerFor, publicUrl: deps.publicUrl ?? 'http://127.0.0.1:3000' }),
    ...botRoutes(),
    ...copilotRoutes,
  );
  const mounted = routes.filter((spec) => spec.enabled?.({ devLogin: deps.devLogin }) ?? true);
  routes.splice(0, routes.length, ...mounted);

  const router = new Router<RequestState>();
  for (const spec of routes) {
    router[spec.method](spec.path, async (ctx) => {
      let principal: AnyPrincipal | undefined;
      let token: string | undefined;
      if (spec.access !== 'public') {
        const match = bearer.exec(ctx.get('authorization'));
        if (!match?.[1]) throw new AppError('UNAUTHENTICATED', '请先登录。Sign-in required or the session has ended.');
        token = match[1];
        principal = await authenticate(deps.features, token);
        if (spec.access === 'session' && principal.kind !== 'employee') {
          throw new AppError('FORBIDDEN', '此功能仅限员工使用。This is for employees only.');
        }
        if (spec.access === 'candidate' && principal.kind !== 'candidate') {
          throw new AppError('FORBIDDEN', '此功能仅限候选人使用。This is for candidates only.');
        }
      }
      // A malformed id in the path names nothing, exactly like an unknown one.
      const params = spec.params?.safeParse(ctx.params);
      if (params && !params.success) throw new AppError('NOT_FOUND', '找不到该对象。Not found.');
      const query = parse(spec.query, ctx.query, 'query');
      const rawBody = spec.body ? await readJsonBody(ctx, deps.http.bodyLimitBytes) : undefined;
      if (spec.body && rawBody === undefined) {
        throw new AppError('VALIDATION_FAILED', '缺少请求体。A JSON body is required.', [{ path: 'body', message: 'required' }]);
      }
      const body = parse(spec.body, rawBody, 'body');
      const result = await spec.handler({
        params: params?.data,
        query,
        body,
        principal: principal as never,
        token: token as never,
        clientIp: ctx.ip,
        requestId: ctx.state.requestId,
        features: deps.features,
      });
      if (spec.download) {
        const file = spec.response.parse(result) as { body: string; filename: string };
        ctx.status = 200;
        ctx.type = spec.download;
        if (!spec.inline) ctx.attachment(file.filename);
        ctx.body = file.body;
        return;
      }
      if (spec.redirect) {
        ctx.redirect((result as { location: string }).location);
        return;
      }
      ctx.status = spec.status ?? 200;
      if (spec.path === '/metrics') {
        ctx.type = metrics.registry.contentType;
        ctx.body = result;
        return;
      }
      // Parsing the response strips every field the contract does not list, so nothing extra leaks.
      ctx.body = spec.response.parse(result);
      if (spec.path === '/readyz' && (result as { status: string }).status !== 'ready') ctx.status = 503;
    });
  }

  mountWecomCallbacks(router, { features: deps.features, env: deps.secretsEnv ?? {}, log: deps.log });
  mountWecomAibotCallbacks(router, { features: deps.features, env: deps.secretsEnv ?? {}, log: deps.log });
  mountDingtalkCallbacks(router, { features: deps.features, env: deps.secretsEnv ?? {}, log: deps.log });

  koa.use(requestContext(deps.log, metrics));
  if (deps.h5Dir) koa.use(staticSite('/h5', deps.h5Dir, 'npm run build:h5'));
  koa.use(router.routes());
  koa.use(async (ctx, next) => {
    await next();
    if (ctx.status === 404 && ctx.body === undefined && router.match(ctx.path, ctx.method).path.length > 0) {
      throw new AppError('METHOD_NOT_ALLOWED', '该接口不支持此方法。Method not allowed on this route.');
    }
  });

  return { koa, routes, metrics, callback: () => koa.callback() };
}
