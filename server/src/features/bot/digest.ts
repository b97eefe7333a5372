import { AppError } from '../../domain/errors';
import { addDays, instantOf, localParts } from '../../domain/natural-time/zone';
import { actorRef, hiringRoles, requireRole, type Principal } from '../../domain/principal';
import type { Role } from '../../../contracts/directory';
import type { GroupTarget } from '../../ports/group-notifier';
import type { FeatureContext } from '../context';
import { outboxGroupNotifier } from '../group-chat';
import type { DigestRow } from './bot-store';
import { requireBotChat } from './chat';
import { agenda, tenantZone } from './index';

/** "9:00", "09:30", "9：00" → "09:00"; undefined when it is not a time of day. */
export function normaliseLocalTime(text: string): string | undefined {
  const m = /^([01]?[0-9]|2[0-3])[:：]([0-5][0-9])$/.exec(text.trim());
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}` : undefined;
}

/** The first instant strictly after `after` at local time `hhmm` in `timeZone` (DST-safe through the zone maths). */
export function nextOccurrence(after: Date, hhmm: string, timeZone: string): Date {
  const [h, m] = hhmm.split(':').map(Number);
  const minutes = h! * 60 + m!;
  let date = localParts(after.getTime(), timeZone).date;
  for (let i = 0; i < 3; i++) {
    const at = instantOf(date, minutes, timeZone);
    if (at > after.getTime()) return new Date(at);
    date = addDays(date, 1);
  }
  throw new Error('no next occurrence');
}

/** The chat, with the server's record of the message that named it (`requestId`, see features/bot/chat.ts). */
type Chat = { platform: 'wecom' | 'dingtalk'; chatId: string; requestId: string };

/**
 * 订阅 <time>: the chat gets today's agenda (in the subscriber's scope) every day at that local time. Audited. The chat
 * must be the group the requester's message came from (CHAT_NOT_VERIFIED otherwise, audited): a forged chat id
 * cannot push someone's agenda into a group they are not in.
 */
export async function subscribeDigest(ctx: FeatureContext, principal: Principal, input: Chat & { time: string }, requestId: string) {
  requireRole(principal, hiringRoles);
  await requireBotChat(ctx, principal, input, 'bot.digest_subscribe', requestId);
  const localTime = normaliseLocalTime(input.time);
  if (!localTime) throw new AppError('VALIDATION_FAILED', '时间格式不对，请写成“9:00”这样的 24 小时制时间。Write the time like 9:00.');
  const timeZone = await tenantZone(ctx, principal.tenantId);
  const now = ctx.clock.now();
  const nextRunAt = nextOccurrence(now, localTime, timeZone);
  await ctx.transact(async (stores) => {
    await stores.bot.upsertDigest({ tenantId: principal.tenantId, platform: input.platform, chatId: input.chatId, employeeId: principal.employeeId, localTime, timeZone, nextRunAt, now });
    await stores.audit.append({
      tenantId: principal.tenantId, actor: actorRef(principal), action: 'bot.digest_subscribed', objectType: 'bot_chat', objectId: null,
      requestId, details: { platform: input.platform, chatId: input.chatId, localTime, timeZone, botRequestId: input.requestId },
    });
  });
  return { localTime, timeZone, nextRunAt: nextRunAt.toISOString() };
}

/** 取消订阅: the chat's digest stops. Audited when there was one. Only from the chat itself (like 订阅). */
export async function unsubscribeDigest(ctx: FeatureContext, principal: Principal, input: Chat, requestId: string) {
  requireRole(principal, hiringRoles);
  await requireBotChat(ctx, principal, input, 'bot.digest_unsubscribe', requestId);
  return ctx.transact(async (stores) => {
    const removed = await stores.bot.deleteDigest(principal.tenantId, input.platform, input.chatId);
    if (removed) {
      await stores.audit.append({
        tenantId: principal.tenantId, actor: actorRef(principal), action: 'bot.digest_unsubscribed', objectType: 'bot_chat', objectId: null,
        requestId, details: { platform: input.platform, chatId: input.chatId },
      });
    }
    return { removed };
  });
}

const marks = { confirmed: '✅ 已确认', unconfirmed: '⏳ 未确认', late: '⚠️ 已到时间仍未确认', checked_in: '📍 已签到', no_show: '❌ 未到场' } as const;
const mask = (name: string) => {
  const chars = [...name.trim()];
  return chars.length <= 1 ? (chars.length ? '*' : '') : chars[0] + '*'.repeat(chars.length - 1);
};
const hhmm = (iso: string, timeZone: string) => {
  const p = localParts(Date.parse(iso), timeZone);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
};

/** Today's agenda as the bot's 今日 shows it in a group (candidate names masked). */
export function digestMarkdown(today: Awaited<ReturnType<typeof agenda>>): string {
  const title = '早安！今日面试';
  if (today.items.length === 0) return `**${title}**\n今天暂无面试安排。`;
  const count = (m: keyof typeof marks) => today.items.filter((i) => i.mark === m).length;
  const lines = today.items.map((i) =>
    `- ${hhmm(i.startsAt, today.timeZone)}–${hhmm(i.endsAt, today.timeZone)} ${mask(i.candidateName)} · ${i.jobTitle} · ${i.roundName} · ${marks[i.mark]}${i.panel.length ? `（${i.panel.join('、')}）` : ''}`);
  return [`**${title}**（共 ${today.items.length} 场：未确认 ${count('unconfirmed') + count('late')}，已签到 ${count('checked_in')}，未到场 ${count('no_show')}）`, ...lines].join('\n');
}

const targetOf = (row: Pick<DigestRow, 'platform' | 'chatId'>): GroupTarget =>
  row.platform === 'wecom' ? { channel: 'wecom_aibot_push', chatId: row.chatId } : { channel: 'dingtalk_group', openConversationId: row.chatId };

export interface DigestDispatchResult {
  sent: number;
  /** Subscribers who left or lost their hiring role: their digests are removed. */
  dropped: number;
}

/**
 * Sends the due digests. Each is claimed in its own transaction (FOR UPDATE SKIP LOCKED, so instances never send one
 * twice), queued through the outbox, and moved to the next local time after now in the same transaction: after
 * downtime a chat gets one late digest, never a backlog. A digest runs as its subscriber, in their scope.
 */
export async function dispatchDueDigests(ctx: FeatureContext, options: { max?: number } = {}): Promise<DigestDispatchResult> {
  const result: DigestDispatchResult = { sent: 0, dropped: 0 };
  for (let n = 0; n < (options.max ?? 100); n++) {
    const worked = await ctx.transact(async (stores) => {
      const now = ctx.clock.now();
      const [row] = await stores.bot.claimDueDigests(now, 1);
      if (!row) return false;
      const roles = row.employeeRoles as readonly Role[];
      if (row.employeeStatus !== 'active' || !roles.some((r) => hiringRoles.includes(r))) {
        await stores.bot.deleteDigest(row.tenantId, row.platform, row.chatId);
        result.dropped++;
        return true;
      }
      const principal: Principal = { kind: 'employee', tenantId: row.tenantId, employeeId: row.employeeId, roles };
      const today = await agenda({ ...ctx, stores }, principal, 'today');
      const day = localParts(now.getTime(), row.timeZone).date;
      await outboxGroupNotifier(stores).notify({
        tenantId: row.tenantId, target: targetOf(row), message: { kind: 'markdown', content: digestMarkdown(today) },
        idempotencyKey: `digest:${row.platform}:${row.chatId}:${day}`,
      });
      await stores.bot.advanceDigest({ tenantId: row.tenantId, platform: row.platform, chatId: row.chatId, nextRunAt: nextOccurrence(now, row.localTime, row.timeZone), sentAt: now, now });
      result.sent++;
      return true;
    });
    if (!worked) break;
  }
  return result;
}

export function nextDigestAt(ctx: FeatureContext): Promise<Date | undefined> {
  return ctx.stores.bot.nextDigestAt();
}
