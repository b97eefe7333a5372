import { z } from 'zod';

export const Id = z.uuid().describe('UUID');
export const Timestamp = z.iso.datetime({ offset: true }).describe('ISO 8601 instant, UTC');
const text = (max: number) => z.string().trim().min(1).max(max);
export const Text = text;

export const ErrorBody = z
  .object({
    code: z.string().describe('Stable error code, e.g. VALIDATION_FAILED, NOT_FOUND'),
    message: z.string().describe('Human-readable, Chinese first then English; safe to show'),
    requestId: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Error' });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional().describe('nextCursor from the previous page'),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('null on the last page') });

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
