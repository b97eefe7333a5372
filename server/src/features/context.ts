import type { Clock } from '../ports/clock';
import type { GroupChatStore } from './group-chat/origin-store';
import type { ApplicationStore } from './applications/application-store';
import type { AuditStore } from './audit/audit-store';
import type { CandidateStore } from './candidates/candidate-store';
import type { CandidateChannelStore } from './candidate-channels/candidate-channel-store';
import type { DirectoryStore } from './directory/directory-store';
import type { GroupRobotStore } from './group-robots/group-robot-store';
import type { InboxStore } from './inbox/inbox-store';
import type { JobStore } from './jobs/job-store';
import type { OutboxStore } from './outbox/outbox-store';
import type { PlatformStore } from './platform/platform-store';
import type { RosterStore } from './roster/roster-store';
import type { SessionStore } from './sessions/session-store';
import type { IdentityStore } from './identity/identity-store';
import type { RetentionStore } from './retention/retention-store';
import type { PrivacyStore } from './privacy/privacy-store';
import type { InterviewStore } from './interviews/interview-store';
import type { ReminderStore } from './reminders/reminder-store';
import type { SurveyStore } from './surveys/survey-store';
import type { BotStore } from './bot/bot-store';
import type { ReportStore } from './reports/report-store';
import type { SignInPorts } from './identity';
import type { CopilotStore } from './copilot/copilot-store';
import type { ProbePhraser, ScorecardDrafter } from './copilot/drafter';
import type { DirectoriesByApp } from './roster';

/** Every store a use case may need. The postgres adapter implements them; a transaction hands out a bound set. */
export interface Stores {
  readonly directory: DirectoryStore;
  readonly jobs: JobStore;
  readonly candidates: CandidateStore;
  readonly applications: ApplicationStore;
  readonly sessions: SessionStore;
  readonly audit: AuditStore;
  readonly platform: PlatformStore;
  readonly inbox: InboxStore;
  readonly outbox: OutboxStore;
  /** 微信客服 / mini-program reachability of candidates (server/src/features/candidate-channels). */
  readonly candidateChannels: CandidateChannelStore;
  readonly roster: RosterStore;
  /** Webhook group robots per tenant (server/src/features/group-robots). */
  readonly groupRobots: GroupRobotStore;
  /** Retention purge and anonymisation (server/src/features/retention). */
  readonly retention: RetentionStore;
  /** Sign-in lookups, invitations, web-login states and rate-limit counters (server/src/features/identity). */
  readonly identity: IdentityStore;
  /** Consents, data-subject requests, scopes, retention policies, candidate self-service reads (server/src/features/privacy). */
  readonly privacy: PrivacyStore;
  /** Scheduling writes: interviews, panels, bookings, schedule versions, reminders (server/src/features/interviews). */
  readonly interviews: InterviewStore;
  /** The reminders queue (server/src/features/reminders). */
  readonly reminders: ReminderStore;
  /** Candidate surveys and their settings (server/src/features/surveys). */
  readonly surveys: SurveyStore;
  /** What only the HR bot needs: funnels, agendas, delegated sessions, digest subscriptions (server/src/features/bot). */
  readonly bot: BotStore;
  /** Interviewer copilot: live notes, scorecards, drafts, nudges, debrief decisions (server/src/features/copilot). */
  readonly copilot: CopilotStore;
  /** The chat an interview was scheduled from by a group command (server/src/features/group-chat). */
  readonly groupChat: GroupChatStore;
  /** HR reports beyond the bot's: time to hire (server/src/features/reports). */
  readonly reports: ReportStore;
}

/** Runs `work` in one database transaction: all of its writes commit together or none do. */
export type Transact = <T>(work: (stores: Stores) => Promise<T>) => Promise<T>;

export interface FeatureContext {
  readonly stores: Stores;
  readonly transact: Transact;
  readonly clock: Clock;
  /** Platform sign-in exchanges; absent where nothing signs in (CLI tools, workers). */
  readonly signIn?: SignInPorts;
  /** Roster directories per platform app, for a sync someone asks for now (the bot's 同步); absent where none is wired. */
  readonly rosterDirectories?: DirectoriesByApp;
  /** Our public URL (HB_PUBLIC_URL), for deep links in messages sent on request (e.g. a manual scorecard nudge). */
  readonly publicUrl?: string;
  /** Scorecard drafts from the company's own model (HB_COPILOT_MODEL_*); absent: the rule-based drafter. */
  readonly scorecardDrafter?: ScorecardDrafter;
  /** Rewords the rule's STAR probe for typed prompts with the same model; absent: the rule text. */
  readonly probePhraser?: ProbePhraser;
}
