import type { Selectable } from 'kysely';
import type { Candidate } from '../../../contracts/candidates';
import type { CandidateStore } from '../../features/candidates';
import { maskEmail, maskPhone } from '../../domain/masking';
import type { Db } from './database';
import { beforeCursor, decodeCursor, escapeLike, iso, toPage } from './pagination';
import type { CandidateTable } from './schema';

const toCandidate = (row: Selectable<CandidateTable>): Candidate => ({
  id: row.id,
  name: row.name,
  phoneMasked: row.phone ? maskPhone(row.phone) : null,
  emailMasked: row.email ? maskEmail(row.email) : null,
  source: row.source as Candidate['source'],
  timeZone: row.time_zone,
  talentPool: row.talent_pool,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

export function postgresCandidateStore(db: Db): CandidateStore {
  return {
    async insertCandidate(tenantId, input) {
      const row = await db
        .insertInto('candidates')
        .values({
          tenant_id: tenantId,
          name: input.name,
          phone: input.phone,
          email: input.email,
          source: input.source,
          time_zone: input.timeZone,
          resume_text: input.resumeText,
          talent_pool: input.talentPool,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toCandidate(row);
    },
    async findCandidate(tenantId, candidateId) {
      const row = await db.selectFrom('candidates').selectAll().where('tenant_id', '=', tenantId).where('id', '=', candidateId).executeTakeFirst();
      return row && toCandidate(row);
    },
    async listCandidates(tenantId, query) {
      const cursor = decodeCursor(query.cursor);
      let q = db.selectFrom('candidates').selectAll().where('tenant_id', '=', tenantId);
      if (query.q) {
        const term = query.q;
        q = /^\d{4,}$/.test(term)
          ? q.where('phone', 'like', `%${term}`)
          : q.where('name', 'like', `%${escapeLike(term)}%`);
      }
      if (query.source) q = q.where('source', '=', query.source);
      if (query.talentPool !== undefined) q = q.where('talent_pool', '=', query.talentPool);
      if (cursor) q = q.where(beforeCursor('candidates', cursor));
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
      return toPage(rows, query.limit, toCandidate);
    },
    async updateCandidate(tenantId, candidateId, patch, now) {
      const row = await db
        .updateTable('candidates')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.phone !== undefined && { phone: patch.phone }),
          ...(patch.email !== undefined && { email: patch.email }),
          ...(patch.source !== undefined && { source: patch.source }),
          ...(patch.timeZone !== undefined && { time_zone: patch.timeZone }),
          ...(patch.resumeText !== undefined && { resume_text: patch.resumeText }),
          ...(patch.talentPool !== undefined && { talent_pool: patch.talentPool }),
          updated_at: now,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', candidateId)
        .returningAll()
        .executeTakeFirst();
      return row && toCandidate(row);
    },
  };
}
