import { sql, type Expression, type SqlBool } from 'kysely';
import type { AccessScope } from '../../domain/access-scope';

/** `jobs` row visible in the scope; `alias` is how the query names the jobs table. */
export function jobVisible(scope: AccessScope, alias = 'jobs'): Expression<SqlBool> {
  if (scope.all) return sql<boolean>`true`;
  const jobs = sql.table(alias);
  return sql<boolean>`(${jobs}.department_id IN (SELECT hb_scope_departments(${scope.employeeId}::uuid))
    OR ${jobs}.hiring_manager_id = ${scope.employeeId}::uuid OR ${jobs}.owner_hr_id = ${scope.employeeId}::uuid)`;
}

/** A candidate is visible with an application to a visible job, or (HR) when they have applied nowhere yet. */
export function candidateVisible(scope: AccessScope, alias = 'candidates'): Expression<SqlBool> {
  if (scope.all) return sql<boolean>`true`;
  const candidates = sql.table(alias);
  return sql<boolean>`(EXISTS (SELECT 1 FROM applications sa JOIN jobs sj ON sj.id = sa.job_id
      WHERE sa.candidate_id = ${candidates}.id AND ${jobVisible(scope, 'sj')})
    ${scope.unassignedCandidates ? sql`OR NOT EXISTS (SELECT 1 FROM applications ua WHERE ua.candidate_id = ${candidates}.id)` : sql``})`;
}

/** An application is visible when its job is. */
export function applicationVisible(scope: AccessScope, alias = 'applications'): Expression<SqlBool> {
  if (scope.all) return sql<boolean>`true`;
  const applications = sql.table(alias);
  return sql<boolean>`EXISTS (SELECT 1 FROM jobs aj WHERE aj.id = ${applications}.job_id AND ${jobVisible(scope, 'aj')})`;
}
