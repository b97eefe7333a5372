import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Candidate } from '../../../contracts/candidates';
import { tenantScope } from '../../domain/access-scope';
import type { CandidateStore, RevealableField } from '../../features/candidates';
import { normalizePhone, type FieldCipher } from '../../domain/field-cipher';
import { maskEmail, maskIdNumber, maskPhone } from '../../domain/masking';
import type { Db } from './database';
import { beforeCursor, decodeCursor, escapeLike, iso, toPage } from './pagination';
import type { CandidateTable } from './schema';
import { candidateVisible } from './scope';

const toCandidate = (row: Selectable<CandidateTable>): Candidate => ({
  id: row.id,
  name: row.name,
  phoneMasked: row.phone_masked,
  emailMasked: row.email_masked,
  idNumberMasked: row.id_number_masked,
  source: row.source as Candidate['source'],
  timeZone: row.time_zone,
  talentPool: row.talent_pool,
  anonymised: row.anonymised_at !== null,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

/** Additional authenticated data: a value decrypts only in its own tenant, row and column. */
export const candidateAad = (tenantId: string, candidateId: string, field: string) => `${tenantId}:candidates:${candidateId}:${field}`;

/**
 * The columns a personal value becomes: ciphertext, mask, and for the phone its last four digits and keyed HMAC.
 * The legacy plaintext columns are always written empty.
 */
function personalColumns(cipher: FieldCipher, tenantId: string, candidateId: string, input: {
  phone?: string | null;
  email?: string | null;
  idNumber?: string | null;
  resumeText?: string;
}): Partial<Record<keyof CandidateTable, unknown>> {
  const columns: Partial<Record<keyof CandidateTable, unknown>> = {};
  if (input.phone !== undefined) {
    const phone = input.phone;
    Object.assign(columns, {
      phone: null,
      phone_enc: phone === null ? null : cipher.encrypt(phone, candidateAad(tenantId, candidateId, 'phone')),
      phone_masked: phone === null ? null : maskPhone(phone),
      phone_tail: phone === null ? null : normalizePhone(phone).slice(-4),
      phone_lookup: phone === null ? null : cipher.lookup(normalizePhone(phone), tenantId),
    });
  }
  if (input.email !== undefined) {
    const email = input.email;
    Object.assign(columns, {
      email: null,
      email_enc: email === null ? null : cipher.encrypt(email, candidateAad(tenantId, candidateId, 'email')),
      email_masked: email === null ? null : maskEmail(email),
    });
  }
  if (input.idNumber !== undefined) {
    const idNumber = input.idNumber;
    Object.assign(columns, {
      id_number_enc: idNumber === null ? null : cipher.encrypt(idNumber, candidateAad(tenantId, candidateId, 'id_number')),
      id_number_masked: idNumber === null ? null : maskIdNumber(idNumber),
    });
  }
  if (input.resumeText !== undefined) {
    Object.assign(columns, {
      resume_text: '',
      resume_enc: input.resumeText === '' ? null : cipher.encrypt(input.resumeText, candidateAad(tenantId, candidateId, 'resume')),
    });
  }
  return columns;
}

export function postgresCandidateStore(db: Db, cipher: FieldCipher): CandidateStore {
  const decryptField = (row: Selectable<CandidateTable>, field: RevealableField): string | null => {
    const value = { phone: row.phone_enc, email: row.email_enc, idNumber: row.id_number_enc, resumeText: row.resume_enc }[field];
    const column = { phone: 'phone', email: 'email', idNumber: 'id_number', resumeText: 'resume' }[field];
    if (value === null) return field === 'resumeText' ? '' : null;
    return cipher.decrypt(value, candidateAad(row.tenant_id, row.id, column));
  };

  return {
    async insertCandidate(tenantId, input) {
      const id = randomUUID();
      const row = await db
        .insertInto('candidates')
        .values({
          id,
          tenant_id: tenantId,
          name: input.name,
          source: input.source,
          time_zone: input.timeZone,
          talent_pool: input.talentPool,
          ...(personalColumns(cipher, tenantId, id, {
            phone: input.phone,
            email: input.email,
            idNumber: input.idNumber,
            resumeText: input.resumeText,
          }) as object),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toCandidate(row);
    },
    async findCandidate(tenantId, candidateId, options) {
      const row = await db
        .selectFrom('candidates')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', candidateId)
        .where(candidateVisible(options?.scope ?? tenantScope))
        .executeTakeFirst();
      return row && toCandidate(row);
    },
    async listCandidates(tenantId, query, options) {
      const cursor = decodeCursor(query.cursor);
      let q = db.selectFrom('candidates').selectAll().where('tenant_id', '=', tenantId).where(candidateVisible(options?.scope ?? tenantScope));
      if (query.q) {
        const term = query.q;
        const digits = term.replace(/[\s+-]/g, '');
        if (/^\d{4,}$/.test(digits)) {
          // By phone without the phone: a full number by its HMAC, a tail by the last four digits kept for search.
          q = digits.length >= 7
            ? q.where('phone_lookup', '=', cipher.lookup(normalizePhone(digits), tenantId))
            : q.where('phone_tail', '=', digits.slice(-4));
        } else {
          q = q.where('name', 'like', `%${escapeLike(term)}%`);
        }
      }
      if (query.source) q = q.where('source', '=', query.source);
      if (query.talentPool !== undefined) q = q.where('talent_pool', '=', query.talentPool);
      if (cursor) q = q.where(beforeCursor('candidates', cursor));
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
      return toPage(rows, query.limit, toCandidate);
    },
    async updateCandidate(tenantId, candidateId, patch, now, options) {
      const row = await db
        .updateTable('candidates')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.source !== undefined && { source: patch.source }),
          ...(patch.timeZone !== undefined && { time_zone: patch.timeZone }),
          ...(patch.talentPool !== undefined && { talent_pool: patch.talentPool }),
          ...(personalColumns(cipher, tenantId, candidateId, patch) as object),
          updated_at: now,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', candidateId)
        .where('anonymised_at', 'is', null)
        .where(candidateVisible(options?.scope ?? tenantScope))
        .returningAll()
        .executeTakeFirst();
      return row && toCandidate(row);
    },
    async revealCandidate(tenantId, candidateId, fields, options) {
      const row = await db
        .selectFrom('candidates')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', candidateId)
        .where(candidateVisible(options?.scope ?? tenantScope))
        .executeTakeFirst();
      if (!row) return undefined;
      return Object.fromEntries(fields.map((field) => [field, decryptField(row, field)])) as Partial<Record<RevealableField, string | null>>;
    },
    async encryptLegacyPlaintext(batchSize) {
      let total = 0;
      for (;;) {
        const rows = await db
          .selectFrom('candidates')
          .select(['id', 'tenant_id', 'phone', 'email', 'resume_text'])
          .where((eb) => eb.or([eb('phone', 'is not', null), eb('email', 'is not', null), eb('resume_text', '<>', '')]))
          .limit(batchSize)
          .forUpdate()
          .skipLocked()
          .execute();
        if (rows.length === 0) return total;
        for (const row of rows) {
          await db
            .updateTable('candidates')
            .set(
              personalColumns(cipher, row.tenant_id, row.id, {
                ...(row.phone !== null && { phone: row.phone }),
                ...(row.email !== null && { email: row.email }),
                ...(row.resume_text !== '' && { resumeText: row.resume_text }),
              }) as object,
            )
            .where('id', '=', row.id)
            .execute();
        }
        total += rows.length;
      }
    },
  };
}
