import { z } from 'zod';
import { ErrorBody } from '../../contracts/common';
import { statusOf } from './error-status';
import type { RouteSpec } from './route';

const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' });

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

/** OpenAPI 3.1 built from the same route specs and zod contracts that validate requests. */
export function buildOpenApi(routes: readonly RouteSpec[], info: { version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorSchema = toSchema(ErrorBody, 'output');
  for (const spec of routes) {
    const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, unknown> = {
      [String(spec.status ?? 200)]: {
        description: 'OK',
        content: { [spec.tag === 'system' && spec.path === '/metrics' ? 'text/plain' : 'application/json']: { schema: toSchema(spec.response, 'output') } },
      },
      default: { description: 'Error: see `code`', content: { 'application/json': { schema: errorSchema } } },
    };
    paths[path] ??= {};
    paths[path][spec.method] = {
      summary: spec.summary,
      tags: [spec.tag],
      ...(spec.access !== 'public' && { security: [{ session: [] }] }),
      parameters: [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')],
      ...(spec.body && {
        requestBody: { required: true, content: { 'application/json': { schema: toSchema(spec.body, 'input') } } },
      }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'HireBridge 招聘桥 API',
      version: info.version,
      description: `Errors are JSON {code, message, requestId}. Codes and statuses: ${Object.entries(statusOf)
        .map(([code, status]) => `${code} ${status}`)
        .join(', ')}.`,
    },
    components: { securitySchemes: { session: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
