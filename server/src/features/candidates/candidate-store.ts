import type { Page } from '../../../contracts/common';
import type { Candidate, CandidateQuery, CreateCandidate, UpdateCandidate } from '../../../contracts/candidates';

export interface CandidateStore {
  insertCandidate(tenantId: string, input: CreateCandidate): Promise<Candidate>;
  findCandidate(tenantId: string, candidateId: string): Promise<Candidate | undefined>;
  listCandidates(tenantId: string, query: CandidateQuery): Promise<Page<Candidate>>;
  updateCandidate(tenantId: string, candidateId: string, patch: UpdateCandidate, now: Date): Promise<Candidate | undefined>;
}
