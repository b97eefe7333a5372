import type { Page } from '../../../contracts/common';
import type { Candidate, CandidateQuery, RevealedCandidate, RevealRequest, UpdateCandidate } from '../../../contracts/candidates';
import type { NewCandidate } from './candidate-store';
import { scopeOf } from '../../domain/access-scope';
import { notFound } from '../../domain/errors';
import { actorRef, hiringRoles, hrRoles, requireRole, type Principal } from '../../domain/principal';
import type { FeatureContext } from '../context';

export type { CandidateStore, RevealableField } from './candidate-store';

const candidateNotFound = () => notFound('Candidate', '候选人');

export async function createCandidate(ctx: FeatureContext, principal: Principal, input: NewCandidate): Promise<Candidate> {
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
  const candidate = await ctx.stores.candidates.findCandidate(principal.tenantId, candidateId, { scope: scopeOf(principal) });
  if (!candidate) throw candidateNotFound();
  return candidate;
}

export async function listCandidates(ctx: FeatureContext, principal: Principal, query: CandidateQuery): Promise<Page<Candidate>> {
  requireRole(principal, hiringRoles);
  return ctx.stores.candidates.listCandidates(principal.tenantId, query, { scope: scopeOf(principal) });
}

export async function updateCandidate(
  ctx: FeatureContext,
  principal: Principal,
  candidateId: string,
  patch: UpdateCandidate,
): Promise<Candidate> {
  requireRole(principal, hrRoles);
  return ctx.transact(async (stores) => {
    const candidate = await stores.candidates.updateCandidate(principal.tenantId, candidateId, patch, ctx.clock.now(), { scope: scopeOf(principal) });
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

/**
 * Full values for HR (to phone a candidate, to check an ID at an offer), never by default. Each read is audited with
 * who, which fields, when, why and the request id, in the same transaction as the read: no audit, no value.
 */
export async function revealCandidate(
  ctx: FeatureContext,
  principal: Principal,
  candidateId: string,
  request: RevealRequest,
  requestId: string,
): Promise<RevealedCandidate> {
  requireRole(principal, hrRoles);
  const fields = [...new Set(request.fields)];
  return ctx.transact(async (stores) => {
    const values = await stores.candidates.revealCandidate(principal.tenantId, candidateId, fields, { scope: scopeOf(principal) });
    if (!values) throw candidateNotFound();
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: 'candidate.reveal',
      objectType: 'candidate',
      objectId: candidateId,
      reason: request.reason,
      requestId,
      details: { fields },
    });
    return { id: candidateId, ...values } as RevealedCandidate;
  });
}
