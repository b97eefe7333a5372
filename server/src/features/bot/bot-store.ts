import type { AccessScope } from '../../domain/access-scope';

export interface BotEmployee {
  readonly id: string;
  readonly platformUserId: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly status: 'active' | 'disabled' | 'left';
}

export interface FunnelRow {
  /** The current stage. */
  readonly stage: string;
  /** Every stage the application ever entered (its current one included). */
  readonly reached: readonly string[];
}

export interface AgendaRow {
  readonly interviewId: string;
  readonly status: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly confirmedAt: Date | null;
  readonly checkedInAt: Date | null;
  readonly jobTitle: string;
  readonly roundName: string;
  readonly candidateName: string;
  readonly panel: readonly string[];
}

/** The reads and writes only the HR bot needs (server/src/features/bot). */
export interface BotStore {
  employeesByPlatformUser(tenantId: string, platformUserIds: readonly string[]): Promise<BotEmployee[]>;
  /** Applications to the job (visible in `scope`) created in [from, to). Undefined when the job is out of reach. */
  funnelRows(tenantId: string, jobId: string, from: Date, to: Date, scope: AccessScope): Promise<{ jobTitle: string; rows: FunnelRow[] } | undefined>;
  /** Scheduled, confirmed or done interviews starting in [from, to) of jobs in `scope`, earliest first. */
  agenda(tenantId: string, from: Date, to: Date, scope: AccessScope, limit: number): Promise<AgendaRow[]>;
  /** Interviews of a candidate's applications to jobs in `scope`, latest first; undefined when the candidate is out of reach. */
  interviewsOfCandidate(tenantId: string, candidateId: string, scope: AccessScope): Promise<CandidateInterviewRow[] | undefined>;
  /** Interviews (not cancelled or declined) per panelist in [from, to) on jobs in `scope`, busiest first. */
  interviewerLoad(tenantId: string, from: Date, to: Date, scope: AccessScope, limit: number): Promise<{ name: string; interviews: number }[]>;
  /** Whether a command with this platform message id was already taken up (its bot.command audit row exists). */
  commandSeen(tenantId: string, messageId: string): Promise<boolean>;
  /**
   * The `bot.command` record of a message or click the server received (its request id), with the chat it came from;
   * undefined when there is none.
   */
  /** The `bot.command` audit record of a request, if it was written less than `maxAgeSeconds` ago (database time). */
  botCommand(tenantId: string, requestId: string, maxAgeSeconds: number): Promise<BotCommandRecord | undefined>;
  /** A session of method 'bot' (short-lived) for the employee who wrote a command. */
  insertBotSession(session: { tokenHash: Buffer; tenantId: string; employeeId: string; expiresAt: Date; idleTimeoutSeconds: number; now: Date }): Promise<void>;
  /** When the latest manual nudge (outbox key `chat:nudge-manual:…`) of this interviewer for this interview went out. */
  lastManualNudgeAt(tenantId: string, interviewId: string, interviewerId: string): Promise<Date | undefined>;

  /**
   * 导出: one row per interview and panelist (shadows too), interviews starting in [from, to) on jobs in `scope`, as
   * `viewerId` may see them. Independent scoring holds here as in the debrief (privacy.listInterviewScorecards): an
   * unsubmitted (draft) scorecard's recommendation and average are never exported; on an interview where the viewer
   * holds a scoring seat (lead or member) and has not submitted their own scorecard, every panelist's recommendation
   * and average are blank.
   */
  exportRows(tenantId: string, from: Date, to: Date, scope: AccessScope, limit: number, viewerId: string): Promise<ExportRow[]>;
  insertExport(input: { tenantId: string; employeeId: string; tokenHash: Buffer; filename: string; body: Uint8Array; rowCount: number; expiresAt: Date; now: Date }): Promise<void>;
  /** A download link's state without using it (a link preview or the confirmation page). */
  peekExport(tokenHash: Buffer, now: Date): Promise<{ filename: string; rowCount: number; expiresAt: Date; state: 'ready' | 'used' | 'expired' } | undefined>;
  /** The file behind a token, once: marks it downloaded and drops the body. Undefined when unknown, used or expired. */
  takeExport(tokenHash: Buffer, now: Date): Promise<{ tenantId: string; employeeId: string; filename: string; body: Uint8Array; rowCount: number } | undefined>;
  /** Drops the bodies of expired exports; returns how many. */
  expireExports(now: Date): Promise<number>;

  /** 订阅: creates or replaces the chat's digest. */
  upsertDigest(input: { tenantId: string; platform: 'wecom' | 'dingtalk'; chatId: string; employeeId: string; localTime: string; timeZone: string; nextRunAt: Date; now: Date }): Promise<void>;
  deleteDigest(tenantId: string, platform: 'wecom' | 'dingtalk', chatId: string): Promise<boolean>;
  /** Due digests, locked until the transaction ends (FOR UPDATE SKIP LOCKED): call inside a transaction. */
  claimDueDigests(now: Date, limit: number): Promise<DigestRow[]>;
  advanceDigest(input: { tenantId: string; platform: 'wecom' | 'dingtalk'; chatId: string; nextRunAt: Date; sentAt: Date | null; now: Date }): Promise<void>;
  nextDigestAt(): Promise<Date | undefined>;
}

export interface ExportRow {
  readonly startsAt: Date;
  readonly endsAt: Date | null;
  readonly status: string;
  readonly candidateName: string;
  readonly jobTitle: string;
  readonly roundName: string;
  readonly interviewerName: string | null;
  readonly panelRole: string | null;
  readonly scorecardStatus: string | null;
  readonly recommendation: string | null;
  readonly averageLevel: number | null;
  readonly submittedAt: Date | null;
}

export interface DigestRow {
  readonly tenantId: string;
  readonly platform: 'wecom' | 'dingtalk';
  readonly chatId: string;
  readonly employeeId: string;
  readonly employeeStatus: string;
  readonly employeeRoles: readonly string[];
  readonly localTime: string;
  readonly timeZone: string;
  readonly nextRunAt: Date;
}

export interface CandidateInterviewRow {
  readonly interviewId: string;
  readonly applicationId: string;
  readonly jobTitle: string;
  readonly roundName: string;
  readonly status: string;
  readonly startsAt: Date | null;
  readonly endsAt: Date | null;
  readonly confirmedAt: Date | null;
}

export interface BotCommandRecord {
  readonly actor: string;
  readonly at: Date;
  readonly chatType: string | null;
  readonly platform: string | null;
  readonly chatId: string | null;
}
