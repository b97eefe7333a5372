import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per app instance, so tests can build several apps in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hirebridge_' });
  const httpRequestDuration = new Histogram({
    name: 'hirebridge_http_request_duration_seconds',
    help: 'HTTP request duration by route template, method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const httpErrors = new Counter({
    name: 'hirebridge_http_errors_total',
    help: 'Error responses by stable error code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  return { registry, httpRequestDuration, httpErrors };
}

export type Metrics = ReturnType<typeof createMetrics>;
