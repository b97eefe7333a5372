import type { SchedulePolicy } from '../../../contracts/interviews';

export interface SchedulingTarget {
  readonly applicationId: string;
  readonly candidateId: string;
  readonly candidateName: string;
  readonly stage: string;
  readonly jobId: string;
  readonly jobTitle: string;
  readonly tenantTimeZone: string;
  readonly round: { readonly id: string; readonly name: string; readonly durationMinutes: number } | undefined;
  /** The job's latest competency-model version, which the interview pins. */
  readonly modelId: string | null;
}

export interface PanelEmployee {
  readonly id: string;
  readonly name: string;
  readonly title: string | null;
  readonly platformUserId: string;
  readonly status: 'active' | 'disabled' | 'left';
}

export interface InterviewForAnswer {
  readonly id: string;
  readonly tenantId: string;
  readonly status: string;
  readonly startsAt: Date | null;
  readonly endsAt: Date | null;
  readonly scheduleVersion: number;
  readonly candidateId: string;
  readonly candidateName: string;
  readonly applicationId: string;
  readonly jobId: string;
  readonly jobTitle: string;
  readonly roundName: string;
  readonly location: string;
  readonly tenantTimeZone: string;
  readonly panel: readonly PanelEmployee[];
}

export interface NewReminder {
  readonly kind: string;
  readonly audience: 'candidate' | 'panelist' | 'hr';
  readonly recipientEmployeeId: string | null;
  readonly dueAt: Date;
}

/** Writes of the scheduling use cases; every method runs in the caller's transaction. */
export interface InterviewStore {
  schedulingTarget(tenantId: string, applicationId: string, roundId: string): Promise<SchedulingTarget | undefined>;
  employees(tenantId: string, employeeIds: readonly string[]): Promise<PanelEmployee[]>;
  insertInterview(input: {
    tenantId: string; applicationId: string; roundId: string; modelId: string; startsAt: Date; endsAt: Date;
    mode: 'onsite' | 'video' | 'phone'; location: string; meetingUrl: string | null; roomId: string | null; ownerHrId: string; now: Date;
  }): Promise<string>;
  insertPanel(tenantId: string, interviewId: string, panel: readonly { employeeId: string; role: 'lead' | 'member' | 'shadow' }[]): Promise<void>;
  /** Books people and room for [from, to); the exclusion constraints refuse any overlap (BOOKING_CONFLICT). */
  book(tenantId: string, interviewId: string, input: { employeeIds: readonly string[]; roomId: string | null; from: Date; to: Date; now: Date }): Promise<void>;
  releaseBookings(tenantId: string, interviewId: string): Promise<void>;
  insertScheduleVersion(input: {
    tenantId: string; interviewId: string; version: number; startsAt: Date; endsAt: Date; roomId: string | null;
    location: string; meetingUrl: string | null; changedBy: string; reason: string | null; now: Date;
  }): Promise<void>;
  insertReminders(tenantId: string, interviewId: string, reminders: readonly NewReminder[], now: Date): Promise<void>;
  cancelReminders(tenantId: string, interviewId: string, now: Date): Promise<number>;
  findForAnswer(tenantId: string, interviewId: string, options?: { lock?: boolean }): Promise<InterviewForAnswer | undefined>;
  /** Compare-and-set on the status; false when the interview is no longer in `from`. */
  setStatus(
    tenantId: string,
    interviewId: string,
    from: string,
    to: string,
    fields: { confirmedAt?: Date; declineReason?: string; cancelReason?: string },
    now: Date,
  ): Promise<boolean>;
  policy(tenantId: string, jobId: string): Promise<SchedulePolicy>;
}
