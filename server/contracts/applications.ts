import { z } from 'zod';
import { Id, PageQuery, Timestamp, page } from './common';

export const ApplicationStage = z.enum(['applied', 'screening', 'interviewing', 'offer', 'hired', 'rejected', 'withdrawn']);

export const StageEvent = z.object({
  fromStage: ApplicationStage.nullable(),
  toStage: ApplicationStage,
  actorId: Id.nullable(),
  reason: z.string().nullable(),
  at: Timestamp,
});

export const Application = z
  .object({
    id: Id,
    candidateId: Id,
    candidateName: z.string(),
    jobId: Id,
    jobTitle: z.string(),
    stage: ApplicationStage,
    stageChangedAt: Timestamp,
    decidedBy: Id.nullable(),
    decisionReason: z.string().nullable(),
    createdAt: Timestamp,
    history: z.array(StageEvent).optional().describe('Only on GET by id'),
  })
  .meta({ id: 'Application' });
export type Application = z.infer<typeof Application>;

export const CreateApplication = z.object({ candidateId: Id, jobId: Id }).strict();

export const MoveApplication = z
  .object({
    to: ApplicationStage,
    reason: z.string().trim().max(1000).optional(),
  })
  .strict()
  .refine((m) => !['rejected', 'withdrawn'].includes(m.to) || (m.reason?.length ?? 0) > 0, {
    message: '拒绝或撤回需要填写原因 A reason is required to reject or withdraw',
    path: ['reason'],
  });

export const ApplicationQuery = PageQuery.extend({
  jobId: Id.optional(),
  candidateId: Id.optional(),
  stage: ApplicationStage.optional(),
});
export type ApplicationQuery = z.infer<typeof ApplicationQuery>;
export const ApplicationPage = page(Application);
