import type { ParsedTime, TimeReadingBody } from '../../../contracts/bot';
import { parseTime, renderTime, type TimeReading } from '../../domain/natural-time';
import { hiringRoles, requireRole, type Principal } from '../../domain/principal';
import { chinaWorkCalendar, isWorkday } from '../../domain/scheduling';
import type { FeatureContext } from '../context';

const defaultZone = 'Asia/Shanghai';

function body(reading: TimeReading, timeZone: string): TimeReadingBody {
  return {
    kind: reading.kind,
    start: reading.start.toISOString(),
    end: reading.end ? reading.end.toISOString() : null,
    date: reading.date,
    label: reading.label,
    text: renderTime(reading, timeZone),
    warning: reading.warning ?? null,
  };
}

/**
 * Natural Chinese time in a zone, aware of public holidays and 调休 (a non-working day carries a warning, never a
 * refusal). Ambiguous input is never guessed: the readings come back for the bot to offer as buttons.
 */
export function readTime(text: string, options: { now: Date; timeZone: string; defaultDurationMinutes?: number }): ParsedTime {
  const result = parseTime(text, {
    now: options.now,
    timeZone: options.timeZone,
    calendar: { isWorkday: (date) => isWorkday(date, chinaWorkCalendar) },
    ...(options.defaultDurationMinutes !== undefined && { defaultDurationMinutes: options.defaultDurationMinutes }),
  });
  switch (result.kind) {
    case 'exact':
      return { ...body(result, options.timeZone), kind: 'exact' };
    case 'window':
      return { ...body(result, options.timeZone), kind: 'window' };
    case 'ambiguous':
      return { kind: 'ambiguous', question: result.question, options: result.options.map((o) => body(o, options.timeZone)) };
    case 'invalid':
      return { kind: 'invalid', code: result.code, message: result.reason };
  }
}

/** POST /api/bot/parse-time: the text read in the caller's tenant zone at the server's now. */
export async function parseTimeForTenant(ctx: FeatureContext, principal: Principal, input: { text: string; defaultDurationMinutes?: number | undefined }): Promise<ParsedTime> {
  requireRole(principal, hiringRoles);
  const tenant = await ctx.stores.directory.findTenant(principal.tenantId);
  return readTime(input.text, {
    now: ctx.clock.now(),
    timeZone: tenant?.timeZone ?? defaultZone,
    ...(input.defaultDurationMinutes !== undefined && { defaultDurationMinutes: input.defaultDurationMinutes }),
  });
}
