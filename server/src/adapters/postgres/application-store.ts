import { tenantScope } from '../../domain/access-scope';
import { applicationVisible } from './scope';
import type { Application } from '../../../contracts/applications';
import type { ApplicationStore } from '../../features/applications';
import type { Db } from './database';
import { beforeCursor, decodeCursor, iso, toPage } from './pagination';

export function postgresApplicationStore(db: Db): ApplicationStore {
  const base = () =>
    db
      .selectFrom('applications')
      .innerJoin('candidates', 'candidates.id', 'applications.candidate_id')
      .innerJoin('jobs', 'jobs.id', 'applications.job_id')
      .selectAll('applications')
      .select(['candidates.name as candidate_name', 'jobs.title as job_title']);

  type Row = Awaited<ReturnType<ReturnType<typeof base>['executeTakeFirstOrThrow']>>;
  const toApplication = (row: Row): Application => ({
    id: row.id,
    candidateId: row.candidate_id,
    candidateName: row.candidate_name,
    jobId: row.job_id,
    jobTitle: row.job_title,
    stage: row.stage as Application['stage'],
    stageChangedAt: iso(row.stage_changed_at),
    decidedBy: row.decided_by,
    decisionReason: row.decision_reason,
    createdAt: iso(row.created_at),
  });

  const store: ApplicationStore = {
    async insertApplication(tenantId, candidateId, jobId, actorId) {
      const { id } = await db
        .insertInto('applications')
        .values({ tenant_id: tenantId, candidate_id: candidateId, job_id: jobId })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('application_stage_events')
        .values({ tenant_id: tenantId, application_id: id, from_stage: null, to_stage: 'applied', actor_id: actorId })
        .execute();
      const created = await store.findApplication(tenantId, id, { withHistory: true });
      if (!created) throw new Error('inserted application not found');
      return created;
    },

    async findApplication(tenantId, applicationId, options) {
      if (options?.lock) {
        await db.selectFrom('applications').select('id').where('tenant_id', '=', tenantId).where('id', '=', applicationId).forUpdate().execute();
      }
      const row = await base()
        .where('applications.tenant_id', '=', tenantId)
        .where('applications.id', '=', applicationId)
        .where(applicationVisible(options?.scope ?? tenantScope))
        .executeTakeFirst();
      if (!row) return undefined;
      const application = toApplication(row);
      if (!options?.withHistory) return application;
      const events = await db
        .selectFrom('application_stage_events')
        .selectAll()
        .where('application_id', '=', applicationId)
        .orderBy('id')
        .execute();
      return {
        ...application,
        history: events.map((e) => ({
          fromStage: e.from_stage as Application['stage'] | null,
          toStage: e.to_stage as Application['stage'],
          actorId: e.actor_id,
          reason: e.reason,
          at: iso(e.at),
        })),
      };
    },

    async listApplications(tenantId, query, options) {
      const cursor = decodeCursor(query.cursor);
      let q = base().where('applications.tenant_id', '=', tenantId).where(applicationVisible(options?.scope ?? tenantScope));
      if (query.jobId) q = q.where('applications.job_id', '=', query.jobId);
      if (query.candidateId) q = q.where('applications.candidate_id', '=', query.candidateId);
      if (query.stage) q = q.where('applications.stage', '=', query.stage);
      if (cursor) q = q.where(beforeCursor('applications', cursor));
      const rows = await q.orderBy('applications.created_at', 'desc').orderBy('applications.id', 'desc').limit(query.limit + 1).execute();
      return toPage(rows, query.limit, toApplication);
    },

    async moveApplication(tenantId, applicationId, change) {
      const decided = change.to === 'hired' || change.to === 'rejected';
      const result = await db
        .updateTable('applications')
        .set({
          stage: change.to,
          stage_changed_at: change.at,
          updated_at: change.at,
          ...(decided && { decided_by: change.actorId, decision_reason: change.reason }),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', applicationId)
        .where('stage', '=', change.from)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await db
        .insertInto('application_stage_events')
        .values({
          tenant_id: tenantId,
          application_id: applicationId,
          from_stage: change.from,
          to_stage: change.to,
          actor_id: change.actorId,
          reason: change.reason,
          at: change.at,
        })
        .execute();
      return true;
    },
  };
  return store;
}
