export interface SurveyQuestion {
  readonly position: number;
  readonly text: string;
  readonly kind: 'rating' | 'text';
}

export interface SurveyResponse {
  readonly score: number;
  readonly answers: Readonly<Record<string, number | string>>;
  readonly comment: string | null;
}

export interface SurveyStore {
  delayMinutes(tenantId: string): Promise<number>;
  questions(tenantId: string): Promise<SurveyQuestion[]>;
  setQuestions(tenantId: string, questions: readonly SurveyQuestion[]): Promise<void>;
  /** Creates the interview's survey, or moves its send time while it has not gone out. */
  schedule(tenantId: string, interviewId: string, sendAt: Date, now: Date): Promise<void>;
  markSent(tenantId: string, interviewId: string, now: Date): Promise<void>;
  expire(tenantId: string, interviewId: string): Promise<void>;
  find(tenantId: string, interviewId: string): Promise<{ status: 'scheduled' | 'sent' | 'answered' | 'expired'; sendAt: Date; answeredAt: Date | null; interviewStatus: string } | undefined>;
  /** Compare-and-set: only an unanswered survey of an interview that took place takes an answer. */
  answer(tenantId: string, interviewId: string, response: SurveyResponse, now: Date): Promise<boolean>;
  /** Answered surveys of interviews matching the filter (a job, or an interviewer on the panel). */
  responses(tenantId: string, filter: { jobId?: string; interviewerId?: string }): Promise<SurveyResponse[]>;
}
