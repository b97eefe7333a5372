import type { Page } from '../../../contracts/common';
import type { Candidate, CandidateQuery, CreateCandidate, RevealableField, UpdateCandidate } from '../../../contracts/candidates';
import type { AccessScope } from '../../domain/access-scope';

export type { RevealableField };

/** What a new candidate row needs; the ID number is optional for internal callers (imports, fixtures). */
export type NewCandidate = Omit<CreateCandidate, 'idNumber'> & { readonly idNumber?: string | null };

/**
 * Candidates with their personal data encrypted at rest (the adapter holds the field cipher). Reads return masks;
 * only `revealCandidate` decrypts, and the use case calling it writes the audit event. `scope` limits every read
 * and write to what the principal may see (default: the whole tenant, for internal work).
 */
export interface CandidateStore {
  insertCandidate(tenantId: string, input: NewCandidate): Promise<Candidate>;
  findCandidate(tenantId: string, candidateId: string, options?: { scope?: AccessScope }): Promise<Candidate | undefined>;
  listCandidates(tenantId: string, query: CandidateQuery, options?: { scope?: AccessScope }): Promise<Page<Candidate>>;
  updateCandidate(
    tenantId: string,
    candidateId: string,
    patch: UpdateCandidate,
    now: Date,
    options?: { scope?: AccessScope },
  ): Promise<Candidate | undefined>;
  revealCandidate(
    tenantId: string,
    candidateId: string,
    fields: readonly RevealableField[],
    options?: { scope?: AccessScope },
  ): Promise<Partial<Record<RevealableField, string | null>> | undefined>;
  /** Encrypts values written in clear before field encryption existed; returns how many rows it changed. */
  encryptLegacyPlaintext(batchSize: number): Promise<number>;
}
