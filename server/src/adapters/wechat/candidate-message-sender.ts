import type { CandidateMessage, CandidateMessenger } from '../../ports/candidate-messenger';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../ports/outbound-sender';

/**
 * The `candidate_message` outbox channel: features write what to tell a candidate in the transaction that causes it;
 * this sender hands it to the CandidateMessenger, which picks the channel open right now (subscription, 微信客服) or
 * asks the owning HR to phone. The outbox row's idempotency key names the logical message, so a retried row never
 * reaches the candidate twice.
 */
export function candidateMessageSender(messenger: CandidateMessenger): OutboundSender {
  return {
    async send(row: OutboundMessage) {
      const payload = row.payload as { message?: CandidateMessage; interviewId?: string };
      if (!payload.message) throw new SendFailedError('candidate_message without a message', false, 'bad_payload');
      const message = payload.message.kind === 'interview_reminder'
        ? { ...payload.message, interview: { ...payload.message.interview, startsAt: new Date(payload.message.interview.startsAt) } }
        : payload.message;
      const delivery = await messenger.send({
        tenantId: row.tenantId,
        candidateId: row.recipient,
        message,
        idempotencyKey: row.idempotencyKey,
        ...(payload.interviewId && { interviewId: payload.interviewId }),
      });
      if (delivery.outcome === 'undeliverable') {
        throw new SendFailedError(`no way to reach the candidate: ${delivery.attempts.map((a) => `${a.channel} ${a.reason}`).join('; ')}`, false, 'undeliverable');
      }
      return { receipt: { outcome: delivery.outcome, channel: delivery.channel } };
    },
  };
}
