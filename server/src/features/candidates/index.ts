import type { Page } from '../../../contracts/common';
import type { Candidate, CandidateQuery, CreateCandidate, UpdateCandidate } from '../../../contracts/candidates';
import { notFound } from '../../domain/errors';
import { actorRef, hiringRoles, hrRoles, requireRole, type Principal } from '../../domain/principal';
import type { FeatureContext } from '../context';

export type { CandidateStore } from './candidate-store';

const candidateNotFound = () => notFound('Candidate', '候选人');

export async function createCandidate(ctx: FeatureContext, principal: Principal, input: CreateCandidate): Promise<Candidate> {
  requireRole(principal, hrRoles);
  return ctx.transact(async (stores) => {
    const candidate = await stores.candidates.insertCandidate(principal.tenantId, input);
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: 'candidate.create',
      objectType: 'candidate',
      objectId: candidate.id,
    });
    return candidate;
  });
}

export async function getCandidate(ctx: FeatureContext, principal: Principal, candidateId: string): Promise<Candidate> {
  requireRole(principal, hiringRoles);
  const candidate = await ctx.stores.candidates.findCandidate(principal.tenantId, candidateId);
  if (!candidate) throw candidateNotFound();
  return candidate;
}

export async function listCandidates(ctx: FeatureContext, principal: Principal, query: CandidateQuery): Promise<Page<Candidate>> {
  requireRole(principal, hiringRoles);
  return ctx.stores.candidates.listCandidates(principal.tenantId, query);
}

export async function updateCandidate(
  ctx: FeatureContext,
  principal: Principal,
  candidateId: string,
  patch: UpdateCandidate,
): Promise<Candidate> {
  requireRole(principal, hrRoles);
  return ctx.transact(async (stores) => {
    const candidate = await stores.candidates.updateCandidate(principal.tenantId, candidateId, patch, ctx.clock.now());
    if (!candidate) throw candidateNotFound();
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: 'candidate.update',
      objectType: 'candidate',
      objectId: candidateId,
      details: { fields: Object.keys(patch) },
    });
    return candidate;
  });
}
