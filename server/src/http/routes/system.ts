import { z } from 'zod';
import { DemoEmployees, DevSession, DevSessionRequest, Health, Readiness } from '../../../contracts';
import * as sessions from '../../features/sessions';
import { route } from '../route';

export interface ReadinessProbe {
  check(): Promise<z.infer<typeof Readiness>['checks']>;
}

export const systemRoutes = (probe: ReadinessProbe, metricsText: () => Promise<string>, openApi: () => unknown) => [
  route({
    method: 'get', path: '/healthz', summary: '进程存活 The process is up', tag: 'system', access: 'public',
    response: Health,
    handler: async () => ({ status: 'ok' as const }),
  }),
  route({
    method: 'get', path: '/readyz', summary: '可以接收流量（数据库可用）Ready for traffic (database up)', tag: 'system', access: 'public',
    response: Readiness,
    handler: async () => {
      const checks = await probe.check();
      const ready = checks.database === 'up' && checks.migrations === 'applied' && !checks.draining;
      return { status: ready ? ('ready' as const) : ('not_ready' as const), checks };
    },
  }),
  route({
    method: 'get', path: '/metrics', summary: 'Prometheus 指标 Prometheus metrics', tag: 'system', access: 'public',
    response: z.string(),
    handler: metricsText,
  }),
  route({
    method: 'get', path: '/openapi.json', summary: 'OpenAPI 3.1 描述 This API, described', tag: 'system', access: 'public',
    response: z.unknown(),
    handler: async () => openApi(),
  }),
  route({
    method: 'get', path: '/api/dev/employees', summary: '可登录的演示员工（仅演示模式）Demo employees to sign in as (demo mode only)', tag: 'system', access: 'public',
    response: DemoEmployees,
    enabled: ({ devLogin }) => devLogin,
    handler: async ({ features }) => ({ items: await sessions.listDemoEmployees(features) }),
  }),
  route({
    method: 'post', path: '/api/dev/sessions', summary: '演示登录（仅演示模式）Demo sign-in (demo mode only)', tag: 'system', access: 'public',
    body: DevSessionRequest, response: DevSession, status: 201,
    enabled: ({ devLogin }) => devLogin,
    handler: ({ features, body }) => sessions.createDemoSession(features, body.employeeId),
  }),
];
