import { sql } from 'kysely';
import type { ReportStore } from '../../features/reports/report-store';
import type { Db } from './database';
import { jobVisible } from './scope';

export function postgresReportStore(db: Db): ReportStore {
  return {
    async hires(tenantId, from, to, scope) {
      const { rows } = await sql<{ id: string; job_id: string; job_title: string; created_at: Date; hired_at: Date }>`
        SELECT h.id, h.job_id, h.job_title, h.created_at, h.hired_at
          FROM (SELECT a.id, a.job_id, jobs.title AS job_title, a.created_at,
                       coalesce((SELECT min(e.at) FROM application_stage_events e WHERE e.application_id = a.id AND e.to_stage = 'hired'),
                                CASE WHEN a.stage = 'hired' THEN a.stage_changed_at END) AS hired_at
                  FROM applications a
                  JOIN jobs ON jobs.id = a.job_id
                 WHERE a.tenant_id = ${tenantId} AND ${jobVisible(scope)}
                   AND (a.stage = 'hired' OR EXISTS (SELECT 1 FROM application_stage_events x WHERE x.application_id = a.id AND x.to_stage = 'hired'))) h
         WHERE h.hired_at >= ${from} AND h.hired_at < ${to}
         ORDER BY h.hired_at, h.id`.execute(db);
      return rows.map((r) => ({ applicationId: r.id, jobId: r.job_id, jobTitle: r.job_title, appliedAt: r.created_at, hiredAt: r.hired_at }));
    },
  };
}
