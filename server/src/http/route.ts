import type { z } from 'zod';
import type { FeatureContext } from '../features/context';
import type { AnyPrincipal, CandidatePrincipal, Principal } from '../domain/principal';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HandlerInput<P, Q, B, A extends Access> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly principal: A extends 'session' ? Principal : A extends 'candidate' ? CandidatePrincipal : A extends 'any' ? AnyPrincipal : undefined;
  /** The bearer token of the request (only for `any`, e.g. sign-out). */
  readonly token: A extends 'any' ? string : undefined;
  /** The caller's address as Koa sees it (X-Forwarded-For only with HB_TRUST_PROXY). */
  readonly clientIp: string;
  readonly requestId: string;
  readonly features: FeatureContext;
}

/**
 * `session`: a signed-in employee; `candidate`: a signed-in candidate; `any`: either (e.g. sign-out);
 * `public`: anyone (health, metrics, the API description, sign-in).
 */
export type Access = 'public' | 'session' | 'candidate' | 'any';

/**
 * A route is data: the contracts it accepts and returns, who may call it, and one use case to call. The same list
 * mounts the routes, writes /openapi.json, and (later) drives the authorization matrix test.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown, R = unknown, A extends Access = Access> {
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: A;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  readonly response: z.ZodType<R>;
  readonly status?: number;
  /** Set when the route is only mounted in some configurations (e.g. the demo sign-in). */
  readonly enabled?: (options: { devLogin: boolean }) => boolean;
  readonly handler: (input: HandlerInput<P, Q, B, A>) => Promise<R>;
  /** Set when the handler answers with a redirect (web login): the result is `{ location }`. */
  readonly redirect?: boolean;
  /** Set when the answer is not JSON (e.g. `text/calendar`): the result is `{ body, filename }`, sent as an attachment. */
  readonly download?: string;
  /** With `download`: shown in the browser (e.g. an HTML page) instead of saved as an attachment. */
  readonly inline?: boolean;
}

export function route<P = undefined, Q = undefined, B = undefined, R = unknown, A extends Access = 'session'>(
  spec: RouteSpec<P, Q, B, R, A>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}
