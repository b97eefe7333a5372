/**
 * The people's calendar on the tenant's platform (WeCom 日程 or DingTalk 日历). People are our employees; the
 * adapter maps them to the platform's ids (WeCom userid, DingTalk unionId) and refuses people it cannot map.
 */
export interface CalendarPerson {
  readonly employeeId: string;
  readonly name: string;
  /** WeCom userid / DingTalk userId. */
  readonly platformUserId: string;
  /** DingTalk unionId (calendar paths and attendees use it); unused by WeCom. */
  readonly platformUnionId: string | null;
}

export interface InterviewEventInput {
  /** Set when the event exists already: the adapter updates it instead of creating another. */
  readonly eventRef?: string;
  readonly title: string;
  readonly description: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** IANA zone, e.g. Asia/Shanghai: how the platform shows the time. */
  readonly timeZone: string;
  readonly location: string;
  readonly organizer: CalendarPerson;
  readonly attendees: readonly CalendarPerson[];
}

export interface BusyInterval {
  readonly startsAt: Date;
  readonly endsAt: Date;
}

/**
 * - `complete`: every event of the person in the range is counted (DingTalk querySchedule);
 * - `own_events_only`: only events this app created are visible (WeCom has no free/busy API for other apps'
 *   schedules), so "no busy block" does NOT mean free.
 */
export type FreeBusyCoverage = 'complete' | 'own_events_only';

export interface FreeBusy {
  readonly coverage: FreeBusyCoverage;
  /** employeeId → busy intervals, sorted by start. */
  readonly busy: ReadonlyMap<string, readonly BusyInterval[]>;
}

export interface Calendar {
  upsertInterviewEvent(input: InterviewEventInput): Promise<{ eventRef: string }>;
  /** Deleting an event that is already gone succeeds. */
  deleteInterviewEvent(eventRef: string): Promise<void>;
  freeBusy(query: { people: readonly CalendarPerson[]; from: Date; to: Date }): Promise<FreeBusy>;
}

/** A request the platform refuses as addressed (unmapped person, bad range): retrying cannot help. */
export class CalendarRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'CalendarRequestError';
  }
}
