import type { Role } from '../../contracts/directory';

/**
 * How long a session lives. HR and admins see the most personal data, so theirs are the shortest: idle 30 minutes,
 * absolute 12 hours. Interviewers work through a day of interviews on a phone. Candidates come back over days.
 */
export interface SessionPolicy {
  readonly idleSeconds: number;
  readonly absoluteSeconds: number;
}

const hour = 3600;

export function employeeSessionPolicy(roles: readonly Role[]): SessionPolicy {
  if (roles.includes('admin') || roles.includes('hr')) return { idleSeconds: 30 * 60, absoluteSeconds: 12 * hour };
  return { idleSeconds: 4 * hour, absoluteSeconds: 12 * hour };
}

export const candidateSessionPolicy: SessionPolicy = { idleSeconds: 24 * hour, absoluteSeconds: 7 * 24 * hour };
