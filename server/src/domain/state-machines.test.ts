import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { assertTransition, machines } from './state-machines';

/**
 * The expected machines, written out by hand from the domain rules (not derived from the code under test). Every
 * (from, to) pair over all states is checked against these tables, so a transition added or removed in the code
 * without changing the table here fails.
 */
const expected = {
  job: {
    // A draft can be published or abandoned; a closed job can be reopened, never turned back into a draft.
    draft: ['open', 'closed'],
    open: ['closed'],
    closed: ['open'],
  },
  application: {
    // Forward only (screening may be skipped); out to rejected/withdrawn from any live stage; decisions are final.
    applied: ['screening', 'interviewing', 'rejected', 'withdrawn'],
    screening: ['interviewing', 'rejected', 'withdrawn'],
    interviewing: ['offer', 'rejected', 'withdrawn'],
    offer: ['hired', 'rejected', 'withdrawn'],
    hired: [],
    rejected: [],
    withdrawn: [],
  },
  interview: {
    draft: ['awaiting_candidate', 'scheduled', 'cancelled'],
    // Slots offered: the candidate picks one (scheduled) or declines; no-show is impossible without a time.
    awaiting_candidate: ['scheduled', 'declined', 'cancelled'],
    // scheduled → scheduled is a reschedule to a new fixed time.
    scheduled: ['confirmed', 'awaiting_candidate', 'scheduled', 'declined', 'in_progress', 'no_show', 'cancelled'],
    confirmed: ['scheduled', 'awaiting_candidate', 'checked_in', 'in_progress', 'no_show', 'declined', 'cancelled'],
    // A candidate who checked in has shown up: no no-show, no decline.
    checked_in: ['in_progress', 'cancelled'],
    // Only a started interview completes.
    in_progress: ['completed'],
    completed: [],
    no_show: [],
    declined: [],
    cancelled: [],
  },
  scorecard: {
    // A submitted scorecard can be revised (submitted again, as a new version) but never goes back to draft.
    draft: ['submitted'],
    submitted: ['submitted'],
  },
  reminder: {
    // A worker claims (sending) before sending; a claim can be released (pending) or end in sent/failed/skipped.
    pending: ['sending', 'skipped', 'cancelled'],
    sending: ['sent', 'pending', 'failed', 'skipped'],
    sent: [],
    skipped: [],
    cancelled: [],
    failed: [],
  },
  outbox: {
    pending: ['sending'],
    sending: ['sent', 'pending', 'failed', 'dead'],
    // A failed message is retried (pending) or given up on (dead).
    failed: ['pending', 'dead'],
    sent: [],
    dead: [],
  },
} as const satisfies Record<keyof typeof machines, Record<string, readonly string[]>>;

const expectedTerminal: Record<keyof typeof machines, readonly string[]> = {
  job: [],
  application: ['hired', 'rejected', 'withdrawn'],
  interview: ['completed', 'no_show', 'declined', 'cancelled'],
  scorecard: [],
  reminder: ['sent', 'skipped', 'cancelled', 'failed'],
  outbox: ['sent', 'dead'],
};

type Subject = keyof typeof machines;
const subjects = Object.keys(expected) as Subject[];

interface AnyMachine {
  readonly states: readonly string[];
  canMove(from: string, to: string): boolean;
  isTerminal(state: string): boolean;
}
const machineFor = (subject: Subject) => machines[subject] as unknown as AnyMachine;

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('state machines', () => {
  it('covers exactly the machines listed here', () => {
    expect(Object.keys(machines).sort()).toEqual([...subjects].sort());
  });

  describe.each(subjects)('%s', (subject) => {
    const table: Record<string, readonly string[]> = expected[subject];
    const states = Object.keys(table);
    const m = machineFor(subject);
    const pairs = states.flatMap((from) => states.map((to) => [from, to] as const));

    it('has exactly the expected states', () => {
      expect([...m.states].sort()).toEqual([...states].sort());
    });

    it.each(pairs)('%s → %s: canMove agrees with the table and assertTransition refuses exactly the refused moves', (from, to) => {
      const allowed = table[from]!.includes(to);
      expect(m.canMove(from, to)).toBe(allowed);
      const error = thrown(() => assertTransition(subject, from, to));
      if (allowed) {
        expect(error).toBeUndefined();
      } else {
        expect(error).toBeInstanceOf(AppError);
        expect(error).toMatchObject({ code: 'INVALID_TRANSITION' });
        expect((error as AppError).message).toContain(`${from}`);
        expect((error as AppError).message).toContain(`${to}`);
      }
    });

    it('marks exactly the expected states terminal, and terminal states allow no move at all', () => {
      const terminal = states.filter((s) => m.isTerminal(s));
      expect(terminal.sort()).toEqual([...expectedTerminal[subject]].sort());
      for (const s of terminal) {
        for (const to of states) expect(m.canMove(s, to)).toBe(false);
      }
    });

    it('refuses states it does not know (including inherited object keys) instead of crashing', () => {
      const some = states[0]!;
      for (const bogus of ['bogus', 'constructor', 'toString', '__proto__', 'hasOwnProperty', '']) {
        expect(m.canMove(bogus, some)).toBe(false);
        expect(m.canMove(some, bogus)).toBe(false);
        expect(m.isTerminal(bogus)).toBe(false);
        expect(thrown(() => assertTransition(subject, bogus, some))).toMatchObject({ code: 'INVALID_TRANSITION' });
        expect(thrown(() => assertTransition(subject, some, bogus))).toMatchObject({ code: 'INVALID_TRANSITION' });
      }
    });
  });

  describe('domain rules, spelled out', () => {
    const interview = machineFor('interview');
    const application = machineFor('application');

    it('lets an interview complete only after it started', () => {
      const into = Object.keys(expected.interview).filter((s) => interview.canMove(s, 'completed'));
      expect(into).toEqual(['in_progress']);
    });

    it('does not treat a no-show as a start: a no-show can neither start nor complete, and a started interview cannot become a no-show', () => {
      expect(interview.canMove('no_show', 'in_progress')).toBe(false);
      expect(interview.canMove('no_show', 'completed')).toBe(false);
      expect(interview.canMove('in_progress', 'no_show')).toBe(false);
      expect(interview.canMove('checked_in', 'no_show')).toBe(false);
    });

    it('marks a no-show only for an interview that had a fixed time', () => {
      const into = Object.keys(expected.interview).filter((s) => interview.canMove(s, 'no_show'));
      expect(into.sort()).toEqual(['confirmed', 'scheduled']);
    });

    it('lets no application leave hired, rejected or withdrawn', () => {
      for (const from of ['hired', 'rejected', 'withdrawn']) {
        for (const to of Object.keys(expected.application)) expect(application.canMove(from, to)).toBe(false);
      }
    });

    it('reaches hired only through an offer', () => {
      const into = Object.keys(expected.application).filter((s) => application.canMove(s, 'hired'));
      expect(into).toEqual(['offer']);
    });

    it('never reopens a job as a draft and never sends a submitted scorecard back to draft', () => {
      expect(machineFor('job').canMove('open', 'draft')).toBe(false);
      expect(machineFor('job').canMove('closed', 'draft')).toBe(false);
      expect(machineFor('scorecard').canMove('submitted', 'draft')).toBe(false);
    });

    it('sends a reminder or a message only after a worker claimed it', () => {
      expect(machineFor('reminder').canMove('pending', 'sent')).toBe(false);
      expect(machineFor('outbox').canMove('pending', 'sent')).toBe(false);
      expect(machineFor('outbox').canMove('failed', 'sent')).toBe(false);
    });

    it('names the subject in both languages in the refusal', () => {
      expect(thrown(() => assertTransition('application', 'hired', 'applied'))).toMatchObject({
        code: 'INVALID_TRANSITION',
        message: expect.stringContaining('申请 application'),
      });
    });
  });
});
