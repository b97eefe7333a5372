import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables in server/migrations. Keep in step with the SQL; the store tests catch drift. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json = ColumnType<unknown, string | undefined, string>;

export interface TenantTable {
  id: Generated<string>;
  name: string;
  platform: 'wecom' | 'dingtalk';
  corp_id: string;
  time_zone: Generated<string>;
  is_demo: Generated<boolean>;
  created_at: CreatedAt;
}

export interface DepartmentTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  parent_id: string | null;
  platform_department_id: string | null;
  created_at: CreatedAt;
}

export interface EmployeeTable {
  id: Generated<string>;
  tenant_id: string;
  department_id: string | null;
  manager_id: string | null;
  name: string;
  title: string | null;
  platform_user_id: string;
  platform_union_id: string | null;
  roles: ColumnType<string[], string[] | undefined, string[]>;
  status: Generated<'active' | 'disabled' | 'left'>;
  daily_interview_limit: number | null;
  weekly_interview_limit: number | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface JobTable {
  id: Generated<string>;
  tenant_id: string;
  department_id: string;
  title: string;
  description: Generated<string>;
  location: Generated<string>;
  headcount: Generated<number>;
  status: Generated<'draft' | 'open' | 'closed'>;
  hiring_manager_id: string | null;
  owner_hr_id: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CompetencyModelTable {
  id: Generated<string>;
  tenant_id: string;
  job_id: string;
  version: number;
  note: Generated<string>;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface CompetencyTable {
  id: Generated<string>;
  tenant_id: string;
  model_id: string;
  position: number;
  name: string;
  description: Generated<string>;
  weight: number;
}

export interface RubricLevelTable {
  competency_id: string;
  level: number;
  label: string;
  description: string;
}

export interface QuestionTable {
  id: Generated<string>;
  competency_id: string;
  position: number;
  text: string;
  follow_ups: ColumnType<string[], string[] | undefined, string[]>;
}

export interface InterviewRoundTable {
  id: Generated<string>;
  tenant_id: string;
  job_id: string;
  position: number;
  name: string;
  duration_minutes: number;
}

export interface CandidateTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  phone: string | null;
  email: string | null;
  source: Generated<string>;
  time_zone: string | null;
  resume_text: Generated<string>;
  talent_pool: Generated<boolean>;
  anonymised_at: Date | null;
  /** Field-encrypted values ('v1.<key id>.…', server/src/domain/field-cipher.ts) with masks written beside them. */
  phone_enc: string | null;
  email_enc: string | null;
  id_number_enc: string | null;
  resume_enc: string | null;
  phone_masked: string | null;
  email_masked: string | null;
  id_number_masked: string | null;
  phone_tail: string | null;
  phone_lookup: Buffer | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ApplicationTable {
  id: Generated<string>;
  tenant_id: string;
  candidate_id: string;
  job_id: string;
  stage: Generated<string>;
  stage_changed_at: Timestamp;
  decided_by: string | null;
  decision_reason: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ApplicationStageEventTable {
  id: Generated<string>;
  tenant_id: string;
  application_id: string;
  from_stage: string | null;
  to_stage: string;
  actor_id: string | null;
  reason: string | null;
  at: CreatedAt;
}

export interface RoomTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  site: Generated<string>;
  address: Generated<string>;
  capacity: Generated<number>;
}

export interface InterviewTable {
  id: Generated<string>;
  tenant_id: string;
  application_id: string;
  round_id: string;
  competency_model_id: string;
  status: Generated<string>;
  mode: Generated<'onsite' | 'video' | 'phone'>;
  starts_at: Date | null;
  ends_at: Date | null;
  room_id: string | null;
  location: Generated<string>;
  meeting_url: string | null;
  schedule_version: Generated<number>;
  owner_hr_id: string | null;
  cancel_reason: string | null;
  transcript_signed_off_at: Date | null;
  reschedule_count: Generated<number>;
  confirmed_at: Date | null;
  decline_reason: string | null;
  checked_in_at: Date | null;
  no_show_marked_by: string | null;
  /** The group chat a bot command scheduled it from (a GroupTarget as JSON), told when the candidate confirms. */
  origin_chat: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface InterviewPanelistTable {
  tenant_id: string;
  interview_id: string;
  employee_id: string;
  role: Generated<'lead' | 'member' | 'shadow'>;
  focus_competency_ids: ColumnType<string[], string[] | undefined, string[]>;
}

export interface BookingTable {
  id: Generated<string>;
  tenant_id: string;
  interview_id: string;
  employee_id: string | null;
  room_id: string | null;
  during: string;
  kind: Generated<'booked' | 'held'>;
  hold_expires_at: Date | null;
  created_at: CreatedAt;
}

export interface AuditEventTable {
  id: Generated<string>;
  tenant_id: string | null;
  at: CreatedAt;
  actor: string;
  action: string;
  object_type: string;
  object_id: string | null;
  reason: string | null;
  request_id: string | null;
  details: Json;
}

export interface RetentionPolicyTable {
  tenant_id: string;
  data_class: string;
  retain_days: number;
  updated_at: Timestamp;
}

export interface SessionTable {
  token_hash: Buffer;
  tenant_id: string;
  employee_id: string | null;
  candidate_id: string | null;
  invitation_id: string | null;
  method: Generated<SessionMethod>;
  idle_timeout_seconds: Generated<number>;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Date;
  revoked_at: Date | null;
}

export interface PlatformAppTable {
  id: Generated<string>;
  tenant_id: string;
  kind: 'wecom_app' | 'wecom_contacts' | 'wecom_kf' | 'wecom_hr' | 'wecom_aibot' | 'wechat_miniprogram' | 'dingtalk_app';
  corp_id: string;
  agent_id: string | null;
  numeric_agent_id: Generated<string | null>;
  secret_ref: string;
  callback_token_ref: string | null;
  encoding_aes_key_ref: string | null;
  api_base_url: string;
  created_at: CreatedAt;
  /** DingTalk only: the interactive-card template id (migration 0023). */
  card_template_id: Generated<string | null>;
}

export interface PlatformTokenTable {
  app_id: string;
  purpose: Generated<'access_token' | 'jsapi_corp' | 'jsapi_agent'>;
  access_token: string;
  expires_at: Date;
  fetched_at: Timestamp;
}

export interface InboxTable {
  id: Generated<string>;
  tenant_id: string;
  app_id: string;
  dedupe_key: string;
  kind: string;
  payload: Json;
  status: Generated<'pending' | 'processing' | 'done' | 'dead'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  claimed_until: Date | null;
  last_error: string | null;
  received_at: CreatedAt;
  processed_at: Date | null;
  duplicates: Generated<number>;
}

export interface OutboxTable {
  id: Generated<string>;
  seq: Generated<string>;
  tenant_id: string;
  channel: string;
  recipient: string;
  payload: Json;
  idempotency_key: string;
  status: Generated<'pending' | 'sending' | 'sent' | 'failed' | 'dead'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  claimed_until: Date | null;
  last_error: string | null;
  receipt: ColumnType<unknown, string | undefined, string>;
  created_at: CreatedAt;
  sent_at: Date | null;
}

export interface RosterSyncRunTable {
  id: Generated<string>;
  tenant_id: string;
  mode: 'sync' | 'reconcile';
  status: Generated<'running' | 'succeeded' | 'failed' | 'abandoned'>;
  started_at: Date;
  finished_at: Date | null;
  report: ColumnType<unknown, string | null | undefined, string | null>;
  error: string | null;
}

/** 0005_candidate_channels.sql */
export interface CandidateChannelTable {
  candidate_id: string;
  tenant_id: string;
  kf_app_id: string | null;
  kf_open_kfid: string | null;
  kf_external_userid: string | null;
  kf_last_customer_message_at: Date | null;
  kf_sent_since_customer_message: Generated<number>;
  mp_app_id: string | null;
  mp_openid: string | null;
  mp_unionid: string | null;
  updated_at: Timestamp;
}

export interface CandidateSubscriptionBalanceTable {
  candidate_id: string;
  template_id: string;
  balance: Generated<number>;
  updated_at: Timestamp;
}

export interface KfInvitationTable {
  id: Generated<string>;
  tenant_id: string;
  candidate_id: string;
  kf_app_id: string;
  open_kfid: string;
  url: string;
  created_at: CreatedAt;
  entered_at: Date | null;
}

export interface KfSyncCursorTable {
  kf_app_id: string;
  open_kfid: string;
  cursor: Generated<string>;
  updated_at: Timestamp;
}

export interface KfProcessedMessageTable {
  kf_app_id: string;
  msgid: string;
  processed_at: Timestamp;
}

export interface CandidateDeliveryTable {
  id: Generated<string>;
  tenant_id: string;
  candidate_id: string;
  idempotency_key: string;
  message_kind: string;
  channel: 'subscription' | 'kf' | 'hr_call_task' | null;
  outcome: 'sent' | 'hr_call_task' | 'undeliverable';
  attempts: Json;
  receipt: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

/** 0008_calendar.sql: an interview's event in one platform app's calendars. */
export interface CalendarEventTable {
  tenant_id: string;
  interview_id: string;
  app_id: string;
  event_ref: string;
  schedule_version: number;
  synced_at: Date;
  deleted_at: Date | null;
}

/** 0009_group_robots.sql: a tenant's webhook robots (WeCom 群机器人, DingTalk 自定义机器人). */
export interface GroupRobotTable {
  id: Generated<string>;
  tenant_id: string;
  platform: 'wecom' | 'dingtalk';
  name: string;
  chat_name: Generated<string>;
  key_ref: string;
  sign_secret_ref: string | null;
  api_base_url: string;
  created_at: CreatedAt;
}

export interface Database {
  group_robots: GroupRobotTable;
  calendar_events: CalendarEventTable;
  candidate_channels: CandidateChannelTable;
  candidate_subscription_balances: CandidateSubscriptionBalanceTable;
  kf_invitations: KfInvitationTable;
  kf_sync_cursors: KfSyncCursorTable;
  kf_processed_messages: KfProcessedMessageTable;
  candidate_deliveries: CandidateDeliveryTable;
  roster_sync_runs: RosterSyncRunTable;
  outbox: OutboxTable;
  platform_apps: PlatformAppTable;
  platform_tokens: PlatformTokenTable;
  inbox: InboxTable;
  tenants: TenantTable;
  departments: DepartmentTable;
  employees: EmployeeTable;
  jobs: JobTable;
  competency_models: CompetencyModelTable;
  competencies: CompetencyTable;
  rubric_levels: RubricLevelTable;
  questions: QuestionTable;
  interview_rounds: InterviewRoundTable;
  candidates: CandidateTable;
  applications: ApplicationTable;
  application_stage_events: ApplicationStageEventTable;
  rooms: RoomTable;
  interviews: InterviewTable;
  interview_panelists: InterviewPanelistTable;
  bookings: BookingTable;
  audit_events: AuditEventTable;
  retention_policies: RetentionPolicyTable;
  sessions: SessionTable;
  invitations: InvitationTable;
  employee_scopes: EmployeeScopeTable;
  rate_limit_hits: RateLimitHitTable;
  web_login_states: WebLoginStateTable;
  consents: ConsentTable;
  interview_audio: InterviewAudioTable;
  transcript_segments: TranscriptSegmentTable;
  interview_question_marks: InterviewQuestionMarkTable;
  interview_notes: InterviewNoteTable;
  scorecard_draft_items: ScorecardDraftItemTable;
  scorecard_policies: ScorecardPolicyTable;
  scorecard_followups: ScorecardFollowupTable;
  scorecard_nudges: ScorecardNudgeTable;
  debrief_decisions: DebriefDecisionTable;
  data_requests: DataRequestTable;
}

export type SessionMethod = 'demo' | 'wecom_miniapp' | 'dingtalk_miniapp' | 'wecom_web' | 'dingtalk_web' | 'wechat_miniapp' | 'invitation';

export interface InvitationTable {
  id: Generated<string>;
  tenant_id: string;
  application_id: string;
  candidate_id: string;
  interview_id: string | null;
  token_hash: Buffer;
  expires_at: Date;
  revoked_at: Date | null;
  created_by: string;
  created_at: CreatedAt;
}

export interface EmployeeScopeTable {
  tenant_id: string;
  employee_id: string;
  department_id: string;
  created_at: CreatedAt;
}

export interface RateLimitHitTable {
  bucket: string;
  window_start: Date;
  hits: Generated<number>;
}

export interface WebLoginStateTable {
  state_hash: Buffer;
  tenant_id: string;
  return_to: Generated<string>;
  expires_at: Date;
  used_at: Date | null;
  created_at: CreatedAt;
}

export type ConsentPurpose = 'personal_data' | 'interview_recording' | 'transcription' | 'talent_pool';

export interface ConsentTable {
  id: Generated<string>;
  tenant_id: string;
  candidate_id: string;
  purpose: ConsentPurpose;
  notice_version: string;
  channel: 'miniapp' | 'kf' | 'h5' | 'paper';
  given_at: Date;
  withdrawn_at: Date | null;
}

export interface InterviewAudioTable {
  id: Generated<string>;
  tenant_id: string;
  interview_id: string;
  seq: number;
  format: Generated<string>;
  bytes: Buffer;
  created_at: CreatedAt;
}

export interface TranscriptSegmentTable {
  id: Generated<string>;
  tenant_id: string;
  interview_id: string;
  seq: number;
  started_ms: number;
  ended_ms: number;
  text: string;
  question_id: string | null;
  starred: Generated<boolean>;
  created_at: CreatedAt;
  /** 0018_copilot */
  source: Generated<'asr' | 'typed'>;
  speaker: Generated<'unknown' | 'interviewer' | 'candidate'>;
  version: Generated<number>;
}

export interface DataRequestTable {
  id: Generated<string>;
  tenant_id: string;
  candidate_id: string;
  kind: 'access' | 'correction' | 'deletion';
  status: Generated<'open' | 'completed' | 'rejected'>;
  details: Generated<string>;
  due_at: Date;
  resolution: string | null;
  handled_by: string | null;
  completed_at: Date | null;
  export: unknown;
  created_at: CreatedAt;
}

// —— 0018_copilot ——————————————————————————————————————————————————————————————————————————————————

export interface InterviewQuestionMarkTable {
  id: Generated<string>;
  tenant_id: string;
  interview_id: string;
  question_id: string;
  at_ms: number;
  marked_by: string;
  created_at: CreatedAt;
}

export interface InterviewNoteTable {
  id: Generated<string>;
  tenant_id: string;
  interview_id: string;
  author_id: string;
  at_ms: number | null;
  text: string;
  created_at: CreatedAt;
}

export interface ScorecardDraftItemTable {
  id: Generated<string>;
  tenant_id: string;
  interview_id: string;
  interviewer_id: string;
  competency_id: string;
  suggested_level: number;
  rationale: string;
  segment_ids: string[];
  generator: Generated<'rules' | 'model'>;
  status: Generated<'proposed' | 'accepted' | 'edited' | 'dismissed' | 'superseded'>;
  decided_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface ScorecardPolicyTable {
  tenant_id: string;
  due_minutes: Generated<number>;
  updated_at: Generated<Timestamp>;
}

export interface ScorecardFollowupTable {
  tenant_id: string;
  interview_id: string;
  interviewer_id: string;
  due_at: Timestamp;
  next_at: Timestamp;
  escalate_at: Timestamp;
  escalated_at: Timestamp | null;
  nudges_sent: Generated<number>;
  status: Generated<'pending' | 'sending' | 'done'>;
  done_reason: string | null;
  attempts: Generated<number>;
  claimed_until: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Generated<Timestamp>;
}

export interface ScorecardNudgeTable {
  id: Generated<string>;
  tenant_id: string;
  interview_id: string;
  interviewer_id: string;
  kind: 'nudge' | 'escalation';
  recipient_employee_id: string;
  outbox_key: string;
  sent_at: Timestamp;
}

export interface DebriefDecisionTable {
  id: Generated<string>;
  tenant_id: string;
  application_id: string;
  interview_id: string | null;
  decision: 'advance' | 'hire' | 'reject' | 'hold';
  reason: string;
  decided_by: string;
  created_at: CreatedAt;
}
