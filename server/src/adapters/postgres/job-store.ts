import { tenantScope } from '../../domain/access-scope';
import { jobVisible } from './scope';
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { CompetencyModel, Job } from '../../../contracts/jobs';
import type { JobStore } from '../../features/jobs';
import type { Db } from './database';
import { beforeCursor, decodeCursor, escapeLike, iso, toPage } from './pagination';

export function postgresJobStore(db: Db): JobStore {
  // One statement per read: the latest model version and the rounds come back with the job (each statement is
  // planned anew by PostgreSQL, so a read route's cost is mostly its statement count).
  const jobsWithDetails = () =>
    db
      .selectFrom('jobs')
      .selectAll('jobs')
      .select((eb) => [
        eb
          .selectFrom('competency_models')
          .whereRef('competency_models.job_id', '=', 'jobs.id')
          .select((e) => e.fn.max('version').as('v'))
          .as('model_version'),
        jsonArrayFrom(
          eb
            .selectFrom('interview_rounds')
            .whereRef('interview_rounds.job_id', '=', 'jobs.id')
            .select(['id', 'position', 'name', 'duration_minutes'])
            .orderBy('position'),
        ).as('rounds'),
      ]);

  type JobRow = Awaited<ReturnType<ReturnType<typeof jobsWithDetails>['executeTakeFirstOrThrow']>>;
  const toJob = (row: JobRow): Job => ({
    id: row.id,
    departmentId: row.department_id,
    title: row.title,
    description: row.description,
    location: row.location,
    headcount: row.headcount,
    status: row.status,
    hiringManagerId: row.hiring_manager_id,
    ownerHrId: row.owner_hr_id,
    rounds: row.rounds.map((r) => ({ id: r.id, position: r.position, name: r.name, durationMinutes: r.duration_minutes })),
    competencyModelVersion: row.model_version,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  });

  const store: JobStore = {
    async insertJob(tenantId, input) {
      const { id } = await db
        .insertInto('jobs')
        .values({
          tenant_id: tenantId,
          department_id: input.departmentId,
          title: input.title,
          description: input.description,
          location: input.location,
          headcount: input.headcount,
          hiring_manager_id: input.hiringManagerId,
          owner_hr_id: input.ownerHrId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (input.rounds.length > 0) {
        await db
          .insertInto('interview_rounds')
          .values(input.rounds.map((r, i) => ({ tenant_id: tenantId, job_id: id, position: i + 1, name: r.name, duration_minutes: r.durationMinutes })))
          .execute();
      }
      const job = await store.findJob(tenantId, id);
      if (!job) throw new Error('inserted job not found');
      return job;
    },

    async findJob(tenantId, jobId, options) {
      if (options?.lock) {
        await db.selectFrom('jobs').select('id').where('tenant_id', '=', tenantId).where('id', '=', jobId).forUpdate().execute();
      }
      const row = await jobsWithDetails()
        .where('jobs.tenant_id', '=', tenantId)
        .where('jobs.id', '=', jobId)
        .where(jobVisible(options?.scope ?? tenantScope))
        .executeTakeFirst();
      return row && toJob(row);
    },

    async departmentInScope(tenantId, departmentId, scope) {
      if (scope.all) return true;
      const row = await db
        .selectFrom('departments')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', departmentId)
        .where(sql<boolean>`id IN (SELECT hb_scope_departments(${scope.employeeId}::uuid))`)
        .executeTakeFirst();
      return row !== undefined;
    },

    async listJobs(tenantId, query, options) {
      const cursor = decodeCursor(query.cursor);
      let q = jobsWithDetails().where('jobs.tenant_id', '=', tenantId).where(jobVisible(options?.scope ?? tenantScope));
      if (query.status) q = q.where('jobs.status', '=', query.status);
      if (query.departmentId) q = q.where('jobs.department_id', '=', query.departmentId);
      if (query.q) q = q.where('jobs.title', 'like', `%${escapeLike(query.q)}%`);
      if (cursor) q = q.where(beforeCursor('jobs', cursor));
      const rows = await q.orderBy('jobs.created_at', 'desc').orderBy('jobs.id', 'desc').limit(query.limit + 1).execute();
      return toPage(rows, query.limit, toJob);
    },

    async updateJob(tenantId, jobId, patch, now) {
      const result = await db
        .updateTable('jobs')
        .set({
          ...(patch.departmentId !== undefined && { department_id: patch.departmentId }),
          ...(patch.title !== undefined && { title: patch.title }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.location !== undefined && { location: patch.location }),
          ...(patch.headcount !== undefined && { headcount: patch.headcount }),
          ...(patch.hiringManagerId !== undefined && { hiring_manager_id: patch.hiringManagerId }),
          ...(patch.ownerHrId !== undefined && { owner_hr_id: patch.ownerHrId }),
          updated_at: now,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', jobId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? store.findJob(tenantId, jobId) : undefined;
    },

    async setJobStatus(tenantId, jobId, from, to, now) {
      const result = await db
        .updateTable('jobs')
        .set({ status: to, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', jobId)
        .where('status', '=', from)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async findCompetencyModel(tenantId, jobId, version) {
      let q = db.selectFrom('competency_models').selectAll().where('tenant_id', '=', tenantId).where('job_id', '=', jobId);
      q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
      const model = await q.executeTakeFirst();
      if (!model) return undefined;
      const competencies = await db.selectFrom('competencies').selectAll().where('model_id', '=', model.id).orderBy('position').execute();
      const ids = competencies.map((c) => c.id);
      const [levels, questions] = ids.length
        ? await Promise.all([
            db.selectFrom('rubric_levels').selectAll().where('competency_id', 'in', ids).orderBy('level').execute(),
            db.selectFrom('questions').selectAll().where('competency_id', 'in', ids).orderBy('position').execute(),
          ])
        : [[], []];
      const result: CompetencyModel = {
        id: model.id,
        jobId: model.job_id,
        version: model.version,
        note: model.note,
        createdBy: model.created_by,
        createdAt: iso(model.created_at),
        competencies: competencies.map((c) => ({
          id: c.id,
          name: c.name,
          description: c.description,
          weight: c.weight,
          rubric: levels.filter((l) => l.competency_id === c.id).map((l) => ({ level: l.level, label: l.label, description: l.description })),
          questions: questions.filter((q) => q.competency_id === c.id).map((q) => ({ id: q.id, text: q.text, followUps: q.follow_ups })),
        })),
      };
      return result;
    },

    async listCompetencyModelVersions(tenantId, jobId) {
      const rows = await db
        .selectFrom('competency_models')
        .select(['id', 'version', 'note', 'created_by', 'created_at'])
        .where('tenant_id', '=', tenantId)
        .where('job_id', '=', jobId)
        .orderBy('version', 'desc')
        .execute();
      return rows.map((r) => ({ id: r.id, version: r.version, note: r.note, createdBy: r.created_by, createdAt: iso(r.created_at) }));
    },

    async insertCompetencyModel(tenantId, jobId, version, input, createdBy) {
      const model = await db
        .insertInto('competency_models')
        .values({ tenant_id: tenantId, job_id: jobId, version, note: input.note, created_by: createdBy })
        .returning('id')
        .executeTakeFirstOrThrow();
      const competencies = await db
        .insertInto('competencies')
        .values(
          input.competencies.map((c, position) => ({
            tenant_id: tenantId,
            model_id: model.id,
            position,
            name: c.name,
            description: c.description,
            weight: c.weight,
          })),
        )
        .returning(['id', 'position'])
        .execute();
      const idAt = new Map(competencies.map((c) => [c.position, c.id]));
      const levels = input.competencies.flatMap((c, position) =>
        c.rubric.map((l) => ({ competency_id: idAt.get(position)!, level: l.level, label: l.label, description: l.description })),
      );
      const questions = input.competencies.flatMap((c, position) =>
        c.questions.map((q, i) => ({ competency_id: idAt.get(position)!, position: i, text: q.text, follow_ups: q.followUps })),
      );
      await db.insertInto('rubric_levels').values(levels).execute();
      if (questions.length) await db.insertInto('questions').values(questions).execute();
      // The deferred completeness triggers check the whole model at commit; checking now gives the caller the
      // error inside its transaction, while it can still be mapped.
      // SET CONSTRAINTS lasts for the rest of the transaction, so switch back for the next model in it.
      await sql`SET CONSTRAINTS competency_model_complete, competency_complete, rubric_level_complete IMMEDIATE`.execute(db);
      await sql`SET CONSTRAINTS competency_model_complete, competency_complete, rubric_level_complete DEFERRED`.execute(db);
      const created = await store.findCompetencyModel(tenantId, jobId, version);
      if (!created) throw new Error('inserted competency model not found');
      return created;
    },
  };
  return store;
}
