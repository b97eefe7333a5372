import { z } from 'zod';
import { Id, PageQuery, Text, Timestamp, page } from './common';

export const CandidateSource = z.enum(['referral', 'career_site', 'job_board', 'headhunter', 'campus', 'internal', 'other']);

const Phone = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\+?\d{6,20}$/, { message: '手机号格式不正确 Invalid phone number' }));

/** Resident ID (18 characters) or a passport / permit number. */
const IdNumber = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .pipe(z.string().regex(/^[0-9A-Z]{6,20}$/, { message: '证件号码格式不正确 Invalid ID number' }));

const TimeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: '不是有效的时区 Not an IANA time zone' },
);

/** Personal data is masked in every response; HR reads a value in full only through /reveal, which is audited. */
export const Candidate = z
  .object({
    id: Id,
    name: z.string(),
    phoneMasked: z.string().nullable().describe('e.g. 138****5678'),
    emailMasked: z.string().nullable(),
    idNumberMasked: z.string().nullable().describe('e.g. 110***********0021'),
    source: CandidateSource,
    timeZone: z.string().nullable(),
    talentPool: z.boolean(),
    anonymised: z.boolean().describe('Personal data was removed (retention or a deletion request)'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Candidate' });
export type Candidate = z.infer<typeof Candidate>;

export const CreateCandidate = z
  .object({
    name: Text(50),
    phone: Phone.nullable().default(null),
    email: z.email().max(200).nullable().default(null),
    idNumber: IdNumber.nullable().default(null),
    source: CandidateSource.default('other'),
    timeZone: TimeZone.nullable().default(null),
    resumeText: z.string().max(100000).default(''),
    talentPool: z.boolean().default(false),
  })
  .strict();
export type CreateCandidate = z.infer<typeof CreateCandidate>;

export const UpdateCandidate = z
  .object({
    name: Text(50),
    phone: Phone.nullable(),
    email: z.email().max(200).nullable(),
    idNumber: IdNumber.nullable(),
    source: CandidateSource,
    timeZone: TimeZone.nullable(),
    resumeText: z.string().max(100000),
    talentPool: z.boolean(),
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: '至少修改一个字段 At least one field' });
export type UpdateCandidate = z.infer<typeof UpdateCandidate>;

export const CandidateQuery = PageQuery.extend({
  q: z.string().trim().min(1).max(50).optional().describe('Name contains, or the last 4+ digits of the phone'),
  source: CandidateSource.optional(),
  talentPool: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
export type CandidateQuery = z.infer<typeof CandidateQuery>;
export const CandidatePage = page(Candidate);

export const RevealableField = z.enum(['phone', 'email', 'idNumber', 'resumeText']);
export type RevealableField = z.infer<typeof RevealableField>;

/** HR asks for full values with a reason; the read is audited (who, what, when, why, request id). */
export const RevealRequest = z
  .object({
    fields: z.array(RevealableField).min(1).max(4),
    reason: z.string().trim().min(2, { message: '请说明查看原因 Give a reason' }).max(200),
  })
  .strict();
export type RevealRequest = z.infer<typeof RevealRequest>;

export const RevealedCandidate = z
  .object({
    id: Id,
    phone: z.string().nullable().optional(),
    email: z.string().nullable().optional(),
    idNumber: z.string().nullable().optional(),
    resumeText: z.string().optional(),
  })
  .meta({ id: 'RevealedCandidate' });
export type RevealedCandidate = z.infer<typeof RevealedCandidate>;
