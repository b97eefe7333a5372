import { AppError, notFound } from '../../domain/errors';
import { HrRosterError, type HrField, type HrRoster, type HrUpdate, type HrValue } from '../../ports/employee-directory';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../ports/outbound-sender';
import type { FeatureContext } from '../context';
import { enqueueMessage } from '../outbox';

/**
 * "Hires out": once an application is `hired`, HireBridge can write what it decided into the platform's HR roster
 * (花名册) — start date, position, department and nothing else, so the roster never receives interview data. The
 * write travels through the outbox (channel `ehr_update`, one key per application), so recording a hire twice, or
 * a retried request, updates the roster once, and a platform outage delays the write instead of losing it.
 */
export const ehrUpdateChannel = 'ehr_update';

/** Field names tried, in order, when the caller does not name the roster's fields (WeCom's defaults, 99131). */
const defaultFieldNames = {
  startDate: ['入职日期', '入职时间'],
  position: ['职位', '岗位'],
  department: ['部门', '所属部门'],
} as const;

export type HireRosterItem = keyof typeof defaultFieldNames;

export interface RecordHireInput {
  readonly tenantId: string;
  readonly applicationId: string;
  /** The hire's user id on the platform (they exist in the directory once onboarded). */
  readonly platformUserId: string;
  /** The first working day, `YYYY-MM-DD`. */
  readonly startDate?: string;
  readonly position?: string;
  readonly department?: string;
  /** Roster field ids to write each item to, when the tenant's roster names them differently. */
  readonly fieldIds?: Partial<Record<HireRosterItem, string>>;
}

export interface RecordHireResult {
  /** false when this application's hire was already queued (nothing new is written). */
  readonly queued: boolean;
  readonly written: readonly HireRosterItem[];
  /** Items given but not written, with why (no such field; no matching option; a type HireBridge does not write). */
  readonly skipped: readonly { readonly item: HireRosterItem; readonly reason: 'no_field' | 'no_option' | 'unsupported_type' }[];
}

/**
 * WeCom is a mainland-China platform and its roster shows dates in China Standard Time, so a start date is written
 * as 00:00 UTC+8 of that day (no daylight saving in China).
 */
function startOfDayChina(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new AppError('VALIDATION_FAILED', '入职日期格式应为 YYYY-MM-DD / startDate must be YYYY-MM-DD', [{ path: 'startDate', message: 'YYYY-MM-DD' }]);
  }
  return ms / 1000 - 8 * 3600;
}

function encode(field: HrField, item: HireRosterItem, text: string): HrValue | 'no_option' | 'unsupported_type' {
  switch (field.type) {
    case 'time':
      return item === 'startDate' ? { kind: 'time', epochSeconds: startOfDayChina(text) } : 'unsupported_type';
    case 'text':
      return { kind: 'text', text };
    case 'option': {
      const option = field.options.find((o) => o.text.trim() === text.trim());
      return option ? { kind: 'option', optionId: option.id } : 'no_option';
    }
    default:
      return 'unsupported_type';
  }
}

/**
 * Queues the roster update for a hired application. Reads the roster's field list (to find the fields and encode
 * option and time values); the write itself happens when the outbox dispatches channel `ehr_update`.
 */
export async function recordHireInRoster(ctx: FeatureContext, roster: HrRoster, input: RecordHireInput): Promise<RecordHireResult> {
  const application = await ctx.stores.applications.findApplication(input.tenantId, input.applicationId);
  if (!application) throw notFound('Application', '申请');
  if (application.stage !== 'hired') {
    throw new AppError('INVALID_TRANSITION', '仅已录用的申请可写入花名册 / only a hired application can be recorded in the roster');
  }
  if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(input.platformUserId)) {
    throw new AppError('VALIDATION_FAILED', '成员账号无效 / invalid platform user id', [{ path: 'platformUserId', message: 'invalid' }]);
  }
  const given = (['startDate', 'position', 'department'] as const).flatMap((item) => {
    const value = input[item]?.trim();
    return value ? [{ item, value }] : [];
  });
  if (given.length === 0) throw new AppError('VALIDATION_FAILED', '没有可写入花名册的信息 / nothing to record', []);
  if (input.startDate !== undefined) startOfDayChina(input.startDate.trim());

  const fields = await roster.hrFields();
  const updates: HrUpdate[] = [];
  const written: HireRosterItem[] = [];
  const skipped: { item: HireRosterItem; reason: 'no_field' | 'no_option' | 'unsupported_type' }[] = [];
  for (const { item, value } of given) {
    const wantedId = input.fieldIds?.[item];
    const names: readonly string[] = defaultFieldNames[item];
    const field = wantedId !== undefined ? fields.find((f) => f.id === wantedId) : names.map((n) => fields.find((f) => f.name === n)).find((f) => f !== undefined);
    if (!field) {
      skipped.push({ item, reason: 'no_field' });
      continue;
    }
    const encoded = encode(field, item, value);
    if (typeof encoded === 'string') {
      skipped.push({ item, reason: encoded });
      continue;
    }
    updates.push({ fieldId: field.id, subIndex: 0, value: encoded });
    written.push(item);
  }
  if (updates.length === 0) return { queued: false, written, skipped };

  const { inserted } = await enqueueMessage(ctx.stores, {
    tenantId: input.tenantId,
    channel: ehrUpdateChannel,
    recipient: input.platformUserId,
    payload: { applicationId: input.applicationId, updates },
    idempotencyKey: `ehr_update:${input.applicationId}`,
  });
  return { queued: inserted, written: inserted ? written : [], skipped };
}

function updatesOf(payload: Record<string, unknown>): HrUpdate[] {
  const updates = payload.updates;
  if (!Array.isArray(updates)) throw new SendFailedError('ehr_update payload has no updates', false, 'bad_payload');
  return updates as HrUpdate[];
}

/**
 * Sends outbox rows of channel `ehr_update` (recipient = platform user id) to the tenant's roster. Only field ids
 * and codes go into errors and receipts, never a value.
 */
export function ehrUpdateSender(deps: { rosterFor(tenantId: string): Promise<HrRoster> }): OutboundSender {
  return {
    async send(message: OutboundMessage) {
      const updates = updatesOf(message.payload);
      try {
        const roster = await deps.rosterFor(message.tenantId);
        await roster.updateHrRecord(message.recipient, updates);
      } catch (error) {
        if (error instanceof HrRosterError) throw new SendFailedError(error.message, error.retryable, error.code);
        throw error;
      }
      return { receipt: { fieldIds: updates.map((u) => u.fieldId) } };
    },
  };
}
