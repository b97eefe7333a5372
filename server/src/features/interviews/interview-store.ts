import type { SchedulePolicy } from '../../../contracts/interviews';
import type { AccessScope } from '../../domain/access-scope';

export interface ReminderPolicy {
  readonly candidateMinutes: readonly number[];
  readonly panelMinutes: number | null;
  readonly unconfirmedAlertMinutes: number | null;
}

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
  readonly durationMinutes: number;
  readonly mode: 'onsite' | 'video' | 'phone';
  readonly roomId: string | null;
  readonly meetingUrl: string | null;
  readonly rescheduleCount: number;
  readonly candidateTimeZone: string | null;
  readonly ownerHrId: string | null;
}

export interface PanelLoad {
  readonly employeeId: string;
  readonly name: string;
  readonly dailyLimit: number | null;
  readonly weeklyLimit: number | null;
  /** Booked or held (unexpired) time, other interviews only. */
  readonly busy: readonly { readonly startsAt: Date; readonly endsAt: Date }[];
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
    tenantId: string; applicationId: string; roundId: string; modelId: string;
    /** Null while the candidate is choosing among offered times (status awaiting_candidate, schedule version 0). */
    startsAt: Date | null; endsAt: Date | null;
    mode: 'onsite' | 'video' | 'phone'; location: string; meetingUrl: string | null; roomId: string | null; ownerHrId: string; now: Date;
  }): Promise<string>;
  /** Holds [from, to) for the panel while the candidate confirms; replaces the interview's earlier hold. */
  hold(tenantId: string, interviewId: string, input: { employeeIds: readonly string[]; from: Date; to: Date; expiresAt: Date; now: Date }): Promise<void>;
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
  setSchedulePolicy(tenantId: string, jobId: string, policy: SchedulePolicy, now: Date): Promise<void>;
  /** The tenant's own policy, or undefined when it uses the defaults (features/interviews). */
  reminderPolicy(tenantId: string): Promise<ReminderPolicy | undefined>;
  setReminderPolicy(tenantId: string, policy: ReminderPolicy, now: Date): Promise<void>;
  /** The panel's bookings in [from, to) apart from this interview's own, with their limits. */
  panelLoad(tenantId: string, interviewId: string, from: Date, to: Date, now: Date): Promise<PanelLoad[]>;
  /** New time: the interview row, its next schedule version number (returned), and the status it goes to. */
  moveInterview(
    tenantId: string,
    interviewId: string,
    change: { startsAt: Date; endsAt: Date; status: 'scheduled' | 'confirmed'; confirmedAt: Date | null; countsAsReschedule: boolean; now: Date },
  ): Promise<number>;
  /** Puts every reminder of the interview back to pending at its new due time (or cancels it when none is due). */
  resetReminders(tenantId: string, interviewId: string, reminders: readonly NewReminder[], now: Date): Promise<void>;

  /** The site's code for that local day, made on first request. */
  checkinCode(tenantId: string, site: string, localDate: string, freshCode: string, now: Date): Promise<string>;
  findCheckinCode(code: string): Promise<{ tenantId: string; site: string; localDate: string } | undefined>;
  /** The candidate's onsite interviews starting in [from, to), with their room's site. */
  candidateInterviewsBetween(tenantId: string, candidateId: string, from: Date, to: Date): Promise<{ id: string; status: string; startsAt: Date; site: string | null }[]>;
  markCheckedIn(tenantId: string, interviewId: string, from: string, now: Date): Promise<boolean>;
  markNoShow(tenantId: string, interviewId: string, from: string, markedBy: string, now: Date): Promise<boolean>;
  /** The candidate's next interview still to be timed or held (awaiting, scheduled or confirmed, not yet started). */
  nextOpenInterviewOf(tenantId: string, candidateId: string, now: Date): Promise<{ id: string; status: string } | undefined>;
  /** Interviews that took place or were missed in [from, to), by job, candidate source and local part of day. */
  noShowStats(tenantId: string, scope: AccessScope, from: Date, to: Date, timeZone: string): Promise<{
    dimension: 'job' | 'source' | 'slot'; key: string; label: string; interviews: number; noShows: number;
  }[]>;
  /** No-shows of the application so far (this one included once marked). */
  countNoShows(tenantId: string, applicationId: string): Promise<number>;
}
