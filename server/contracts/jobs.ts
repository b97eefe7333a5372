import { z } from 'zod';
import { Id, PageQuery, Text, Timestamp, page } from './common';

export const JobStatus = z.enum(['draft', 'open', 'closed']);

export const InterviewRound = z.object({
  id: Id,
  position: z.number().int(),
  name: z.string(),
  durationMinutes: z.number().int(),
});

export const InterviewRoundInput = z.object({
  name: Text(50),
  durationMinutes: z.number().int().min(15).max(480),
});

export const Job = z
  .object({
    id: Id,
    departmentId: Id,
    title: z.string(),
    description: z.string(),
    location: z.string(),
    headcount: z.number().int(),
    status: JobStatus,
    hiringManagerId: Id.nullable(),
    ownerHrId: Id.nullable(),
    rounds: z.array(InterviewRound),
    competencyModelVersion: z.number().int().nullable().describe('Latest version, null before the first'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof Job>;

export const CreateJob = z
  .object({
    departmentId: Id,
    title: Text(100),
    description: z.string().max(20000).default(''),
    location: z.string().trim().max(200).default(''),
    headcount: z.number().int().min(1).max(1000).default(1),
    hiringManagerId: Id.nullable().default(null),
    ownerHrId: Id.nullable().default(null),
    rounds: z.array(InterviewRoundInput).max(10).default([]),
  })
  .strict();
export type CreateJob = z.infer<typeof CreateJob>;

export const UpdateJob = z
  .object({
    departmentId: Id,
    title: Text(100),
    description: z.string().max(20000),
    location: z.string().trim().max(200),
    headcount: z.number().int().min(1).max(1000),
    hiringManagerId: Id.nullable(),
    ownerHrId: Id.nullable(),
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: '至少修改一个字段 At least one field' });
export type UpdateJob = z.infer<typeof UpdateJob>;

export const ChangeJobStatus = z.object({ status: JobStatus }).strict();

export const JobQuery = PageQuery.extend({
  status: JobStatus.optional(),
  departmentId: Id.optional(),
  q: z.string().trim().min(1).max(50).optional().describe('Title contains'),
});
export type JobQuery = z.infer<typeof JobQuery>;
export const JobPage = page(Job);

// Competency models: versioned and immutable; PUT creates the next version.
const RubricLevels = z
  .array(z.object({ level: z.number().int().min(1).max(4), label: Text(20), description: Text(1000) }))
  .length(4)
  .refine((levels) => new Set(levels.map((l) => l.level)).size === 4, { message: '四个等级必须是 1–4 各一个 Levels 1–4, once each' });

export const QuestionInput = z.object({ text: Text(500), followUps: z.array(Text(300)).max(10).default([]) });

export const CompetencyInput = z.object({
  name: Text(50),
  description: z.string().trim().max(1000).default(''),
  weight: z.number().int().min(1).max(100),
  rubric: RubricLevels,
  questions: z.array(QuestionInput).min(1).max(30),
});

export const PublishCompetencyModel = z
  .object({
    note: z.string().trim().max(500).default(''),
    competencies: z
      .array(CompetencyInput)
      .min(1)
      .max(12)
      .refine((cs) => cs.reduce((sum, c) => sum + c.weight, 0) === 100, { message: '权重之和必须为 100 Weights must add up to 100' })
      .refine((cs) => new Set(cs.map((c) => c.name)).size === cs.length, { message: '胜任力名称不能重复 Names must be unique' }),
  })
  .strict();
export type PublishCompetencyModel = z.infer<typeof PublishCompetencyModel>;

export const CompetencyModel = z
  .object({
    id: Id,
    jobId: Id,
    version: z.number().int(),
    note: z.string(),
    createdBy: Id.nullable(),
    createdAt: Timestamp,
    competencies: z.array(
      z.object({
        id: Id,
        name: z.string(),
        description: z.string(),
        weight: z.number().int(),
        rubric: z.array(z.object({ level: z.number().int(), label: z.string(), description: z.string() })),
        questions: z.array(z.object({ id: Id, text: z.string(), followUps: z.array(z.string()) })),
      }),
    ),
  })
  .meta({ id: 'CompetencyModel' });
export type CompetencyModel = z.infer<typeof CompetencyModel>;

export const CompetencyModelVersions = z.object({
  items: z.array(z.object({ id: Id, version: z.number().int(), note: z.string(), createdBy: Id.nullable(), createdAt: Timestamp })),
});
