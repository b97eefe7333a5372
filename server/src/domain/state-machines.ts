import { AppError } from './errors';

/**
 * Every state machine of the domain, in one place. A machine lists, for each state, the states it may move to;
 * anything not listed is refused. Terminal states list nothing.
 */
function machine<S extends string>(transitions: { readonly [K in S]: readonly NoInfer<S>[] }) {
  const states = Object.keys(transitions) as S[];
  return {
    states,
    transitions,
    // `from` usually comes from a stored row and `to` from a request: a name that is not a state of this machine
    // (including inherited keys such as "constructor") is refused, never looked up on the prototype.
    canMove(from: S, to: S): boolean {
      return Object.hasOwn(transitions, from) && Object.hasOwn(transitions, to) && transitions[from].includes(to);
    },
    isTerminal(state: S): boolean {
      return Object.hasOwn(transitions, state) && transitions[state].length === 0;
    },
  };
}

export const jobStatus = machine({
  draft: ['open', 'closed'],
  open: ['closed'],
  closed: ['open'],
});
export type JobStatus = (typeof jobStatus.states)[number];

/** applied → screening → interviewing → offer → hired, and out (rejected, withdrawn) from any live stage. */
export const applicationStage = machine({
  applied: ['screening', 'interviewing', 'rejected', 'withdrawn'],
  screening: ['interviewing', 'rejected', 'withdrawn'],
  interviewing: ['offer', 'rejected', 'withdrawn'],
  offer: ['hired', 'rejected', 'withdrawn'],
  hired: [],
  rejected: [],
  withdrawn: [],
});
export type ApplicationStage = (typeof applicationStage.states)[number];

/**
 * A rescheduled interview goes back to `scheduled` (the candidate must confirm the new time) or to
 * `awaiting_candidate` (new slots offered). Only an interview that has started can complete; a no-show is marked
 * instead of starting.
 */
export const interviewStatus = machine({
  draft: ['awaiting_candidate', 'scheduled', 'cancelled'],
  awaiting_candidate: ['scheduled', 'declined', 'cancelled'],
  scheduled: ['confirmed', 'awaiting_candidate', 'scheduled', 'declined', 'in_progress', 'no_show', 'cancelled'],
  confirmed: ['scheduled', 'awaiting_candidate', 'checked_in', 'in_progress', 'no_show', 'declined', 'cancelled'],
  checked_in: ['in_progress', 'cancelled'],
  in_progress: ['completed'],
  completed: [],
  no_show: [],
  declined: [],
  cancelled: [],
});
export type InterviewStatus = (typeof interviewStatus.states)[number];

export const scorecardStatus = machine({
  draft: ['submitted'],
  submitted: ['submitted'],
});
export type ScorecardStatus = (typeof scorecardStatus.states)[number];

export const reminderStatus = machine({
  pending: ['sending', 'skipped', 'cancelled'],
  sending: ['sent', 'pending', 'failed', 'skipped'],
  sent: [],
  skipped: [],
  cancelled: [],
  failed: [],
});
export type ReminderStatus = (typeof reminderStatus.states)[number];

export const outboxStatus = machine({
  pending: ['sending'],
  sending: ['sent', 'pending', 'failed', 'dead'],
  failed: ['pending', 'dead'],
  sent: [],
  dead: [],
});
export type OutboxStatus = (typeof outboxStatus.states)[number];

const labels: Record<string, string> = {
  job: '职位 job',
  application: '申请 application',
  interview: '面试 interview',
  scorecard: '面评 scorecard',
  reminder: '提醒 reminder',
  outbox: '消息 message',
};

/** Throws INVALID_TRANSITION unless the machine allows `from → to`. */
export function assertTransition<S extends string>(
  subject: keyof typeof machines,
  from: S,
  to: S,
): void {
  const m = machines[subject] as { canMove(from: string, to: string): boolean };
  if (!m.canMove(from, to)) {
    throw new AppError('INVALID_TRANSITION', `${labels[subject] ?? subject}: 不能从 ${from} 变为 ${to}。Cannot move from ${from} to ${to}.`);
  }
}

export const machines = {
  job: jobStatus,
  application: applicationStage,
  interview: interviewStatus,
  scorecard: scorecardStatus,
  reminder: reminderStatus,
  outbox: outboxStatus,
} as const;
