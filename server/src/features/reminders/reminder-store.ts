export interface ClaimedReminder {
  readonly id: string;
  readonly tenantId: string;
  readonly interviewId: string;
  readonly kind: string;
  readonly audience: 'candidate' | 'panelist' | 'hr';
  readonly dueAt: Date;
  readonly attempts: number;
  readonly interview: {
    readonly status: string;
    readonly startsAt: Date | null;
    readonly endsAt: Date | null;
    readonly candidateId: string;
    readonly candidateName: string;
    readonly jobTitle: string;
    readonly roundName: string;
    readonly mode: 'onsite' | 'video' | 'phone';
    readonly location: string;
    readonly timeZone: string;
  };
  /** The employee a panel or HR reminder goes to. */
  readonly recipient: { readonly id: string; readonly platformUserId: string; readonly status: string } | null;
}

export interface ReminderOutcome {
  readonly status: 'sent' | 'skipped' | 'failed';
  readonly channel: string | null;
  readonly skipReason?: string;
  readonly result?: Record<string, unknown>;
}

/** The reminders queue: claims with FOR UPDATE SKIP LOCKED and a lease, like the outbox. */
export interface ReminderStore {
  claimDue(limit: number, now: Date, leaseUntil: Date): Promise<ClaimedReminder[]>;
  finish(id: string, outcome: ReminderOutcome, now: Date): Promise<void>;
  /** Back to pending after a transient failure (the lease would also return it). */
  release(id: string, error: string, now: Date): Promise<void>;
  nextDueAt(): Promise<Date | undefined>;
}
