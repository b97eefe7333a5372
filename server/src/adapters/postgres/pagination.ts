import { sql, type Expression, type SqlBool } from 'kysely';
import { AppError } from '../../domain/errors';

/** Keyset pagination on (created_at, id) descending; the cursor is opaque to clients. */
export interface Cursor {
  readonly createdAt: Date;
  readonly id: string;
}

export function encodeCursor(row: { created_at: Date; id: string }): string {
  return Buffer.from(`${row.created_at.toISOString()}|${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new AppError('VALIDATION_FAILED', '分页游标无效。Invalid cursor.', [{ path: 'cursor', message: 'invalid cursor' }]);
  }
  return { createdAt, id };
}

export function beforeCursor(table: string, cursor: Cursor): Expression<SqlBool> {
  return sql<SqlBool>`(${sql.ref(`${table}.created_at`)}, ${sql.ref(`${table}.id`)}) < (${cursor.createdAt}, ${cursor.id}::uuid)`;
}

/** Takes limit + 1 rows, returns limit and the cursor of the last one if there was more. */
export function toPage<R extends { created_at: Date; id: string }, T>(rows: R[], limit: number, map: (row: R) => T) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(map), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

export const iso = (d: Date) => d.toISOString();
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
