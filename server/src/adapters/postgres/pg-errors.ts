import { AppError } from '../../domain/errors';

interface PgError {
  code?: string;
  constraint?: string;
  message?: string;
}

const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

/** True for an unreachable or lost database, also when wrapped (e.g. in MigrationFailedError) as a `cause`. */
export function isConnectionError(error: unknown): boolean {
  for (let e = error as (PgError & { cause?: unknown }) | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code && connectionCodes.has(e.code)) return true;
    if (/Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|did not answer within/i.test(e.message ?? '')) {
      return true;
    }
  }
  return false;
}

/**
 * Turns what PostgreSQL refused into the stable error a caller can act on. A foreign key into another tenant is
 * NOT_FOUND, exactly like an id that does not exist, so responses never reveal that an id exists elsewhere.
 */
export function mapDatabaseError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isConnectionError(error)) {
    return new AppError('DATABASE_UNAVAILABLE', '数据库暂时不可用，请稍后重试。The database is unavailable; try again shortly.', [], { cause: error });
  }
  const e = error as PgError;
  switch (e?.code) {
    case '23503':
      return new AppError('NOT_FOUND', '引用的对象不存在。A referenced object does not exist.', [], { cause: error });
    case '23505':
      if (e.constraint === 'applications_one_live_per_job') {
        return new AppError('APPLICATION_EXISTS', '该候选人已有此职位的进行中申请。The candidate already has a live application for this job.', [], { cause: error });
      }
      return new AppError('CONFLICT', '与已有数据冲突。Conflicts with existing data.', [], { cause: error });
    case '23P01':
      return new AppError('BOOKING_CONFLICT', '时间冲突：面试官或会议室已被占用。The interviewer or room is already booked then.', [], { cause: error });
    case '23514':
    case '22P02':
    case '22001':
      return new AppError('VALIDATION_FAILED', '数据不符合要求。The data breaks a rule.', [], { cause: error });
    case 'HB001':
      return new AppError('IMMUTABLE', '该记录不可修改。This record cannot be changed.', [], { cause: error });
    case 'HB002':
      return new AppError('INVALID_COMPETENCY_MODEL', `胜任力模型不完整。Incomplete competency model: ${e.message ?? ''}`, [], { cause: error });
    case 'HB003':
      return new AppError('JOB_NOT_OPEN', '该职位未开放，不能投递。The job is not open for applications.', [], { cause: error });
    case '40001':
    case '40P01':
      return new AppError('CONFLICT', '并发修改冲突，请重试。Concurrent change; try again.', [], { cause: error });
    default:
      return error;
  }
}
