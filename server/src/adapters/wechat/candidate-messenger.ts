import type { FeatureContext } from '../../features/context';
import { enqueueMessage } from '../../features/outbox';
import type {
  CandidateDelivery,
  CandidateMessage,
  CandidateMessageRequest,
  CandidateMessenger,
  ChannelAttempt,
} from '../../ports/candidate-messenger';
import { SendFailedError, type OutboundSender } from '../../ports/outbound-sender';

/**
 * Subscription template for interview reminders: which data key carries which fact. The keys' prefixes are
 * WeChat's value rules (thing ≤20 characters, time …), so values are fitted to them here.
 */
export interface ReminderTemplate {
  readonly templateId: string;
  readonly keys: { readonly title: string; readonly time: string; readonly location: string; readonly note?: string };
}

export interface MessengerDeps {
  readonly features: FeatureContext;
  readonly senders: { readonly subscription: OutboundSender; readonly kf: OutboundSender };
  readonly reminderTemplate?: ReminderTemplate;
  /** Time zone reminders are written in (the tenant's). */
  readonly timeZone?: string;
}

/** Reasons our own senders give before calling the platform: the channel was not open, nothing was attempted. */
const notOpen = new Set(['no_openid', 'no_balance', 'no_kf_contact', 'window_expired', 'reply_limit']);

/** WeChat's `thing` values hold at most 20 characters (counted as code points). */
function fit(value: string, max = 20): string {
  const chars = [...value.trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

function formatTime(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('zh-CN', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}年${parts.month}月${parts.day}日 ${parts.hour}:${parts.minute}`;
}

function asText(message: CandidateMessage, timeZone: string): string {
  switch (message.kind) {
    case 'text':
      return message.text;
    case 'choices':
      return `${message.prompt}\n${message.choices.map((c) => `· ${c.label}`).join('\n')}${message.footer ? `\n${message.footer}` : ''}`;
    case 'interview_reminder': {
      const i = message.interview;
      return `【面试提醒】${i.title}\n时间：${formatTime(i.startsAt, timeZone)}\n地点：${i.location}${i.note ? `\n备注：${i.note}` : ''}`;
    }
  }
}

/** The send_msg body for 微信客服: choices become a msgmenu whose taps come back as `kf.menu_click`. */
function kfPayload(message: CandidateMessage, timeZone: string): Record<string, unknown> {
  if (message.kind === 'choices') {
    return {
      msgtype: 'msgmenu',
      msgmenu: {
        head_content: message.prompt,
        list: message.choices.map((c) => ({ type: 'click', click: { id: c.id, content: c.label } })),
        ...(message.footer && { tail_content: message.footer }),
      },
    };
  }
  return { msgtype: 'text', text: { content: asText(message, timeZone) } };
}

/**
 * Picks the channel: a subscription acceptance (reminders only — subscription messages are templates), else the
 * 微信客服 reply window, else a call task for the owning HR (an outbox message on `wecom_app`). Records the outcome
 * per idempotency key. A crash between a platform's answer and the record can repeat one send; the windows and
 * balances are taken before each call, so a repeat can never exceed what the platform allows.
 */
export function wechatCandidateMessenger(deps: MessengerDeps): CandidateMessenger {
  const timeZone = deps.timeZone ?? 'Asia/Shanghai';
  const { features } = deps;

  async function tryChannel(
    channel: 'subscription' | 'kf',
    request: CandidateMessageRequest,
    payload: Record<string, unknown>,
    attempts: ChannelAttempt[],
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const { receipt } = await deps.senders[channel].send({
        id: request.idempotencyKey,
        tenantId: request.tenantId,
        channel,
        recipient: request.candidateId,
        payload,
        idempotencyKey: request.idempotencyKey,
        attempts: 1,
      });
      return receipt;
    } catch (error) {
      if (!(error instanceof SendFailedError) || error.retryable) throw error;
      const code = error.code ?? 'unknown';
      attempts.push({ channel, result: notOpen.has(code) ? 'skipped' : 'refused', reason: code });
      return undefined;
    }
  }

  async function finish(request: CandidateMessageRequest, delivery: CandidateDelivery) {
    await features.stores.candidateChannels.recordDelivery(request.tenantId, request.candidateId, request.idempotencyKey, request.message.kind, delivery, features.clock.now());
    return { ...delivery, replayed: false };
  }

  return {
    async send(request) {
      const prior = await features.stores.candidateChannels.findDelivery(request.tenantId, request.idempotencyKey);
      if (prior) return { ...prior, replayed: true };
      const { message } = request;
      const attempts: ChannelAttempt[] = [];

      const template = deps.reminderTemplate;
      if (message.kind === 'interview_reminder' && template) {
        const i = message.interview;
        const data: Record<string, { value: string }> = {
          [template.keys.title]: { value: fit(i.title) },
          [template.keys.time]: { value: formatTime(i.startsAt, timeZone) },
          [template.keys.location]: { value: fit(i.location || '待定') },
          ...(template.keys.note && { [template.keys.note]: { value: fit(i.note || '请准时参加') } }),
        };
        const payload = { template_id: template.templateId, data, ...(message.page && { page: message.page }) };
        const receipt = await tryChannel('subscription', request, payload, attempts);
        if (receipt) return finish(request, { outcome: 'sent', channel: 'subscription', attempts, receipt });
      } else {
        attempts.push({ channel: 'subscription', result: 'skipped', reason: message.kind === 'interview_reminder' ? 'no_template_configured' : 'not_a_template_message' });
      }

      const receipt = await tryChannel('kf', request, kfPayload(message, timeZone), attempts);
      if (receipt) return finish(request, { outcome: 'sent', channel: 'kf', attempts, receipt });

      const hr = request.interviewId ? await features.stores.candidateChannels.findOwningHr(request.tenantId, request.interviewId) : undefined;
      if (!hr) {
        attempts.push({ channel: 'hr_call_task', result: 'skipped', reason: request.interviewId ? 'no_owning_hr' : 'no_interview' });
        return finish(request, { outcome: 'undeliverable', channel: null, attempts });
      }
      const contact = await features.stores.candidateChannels.candidateContact(request.tenantId, request.candidateId);
      const content =
        `【请电话联系候选人】${contact?.name ?? '候选人'}（${contact?.phone ?? '未留电话'}）目前无法通过微信触达` +
        `（未订阅提醒，且不在微信客服 48 小时回复窗口内）。请致电转告：\n${asText(message, timeZone)}`;
      // The call task and the record commit together: the HR is asked exactly once per logical message.
      return features.transact(async (stores) => {
        const { id } = await enqueueMessage(stores, {
          tenantId: request.tenantId,
          channel: 'wecom_app',
          recipient: hr.platformUserId,
          payload: { msgtype: 'text', text: { content } },
          idempotencyKey: `call-task:${request.tenantId}:${request.idempotencyKey}`,
        });
        const delivery: CandidateDelivery = { outcome: 'hr_call_task', channel: 'hr_call_task', attempts, hrEmployeeId: hr.employeeId, outboxId: id };
        await stores.candidateChannels.recordDelivery(request.tenantId, request.candidateId, request.idempotencyKey, message.kind, delivery, features.clock.now());
        return { ...delivery, replayed: false };
      });
    },
  };
}
