import type { Stores, Transact } from '../../features/context';
import { postgresApplicationStore } from './application-store';
import { postgresAuditStore } from './audit-store';
import { postgresCandidateStore } from './candidate-store';
import { postgresCandidateChannelStore } from './candidate-channel-store';
import type { Db } from './database';
import { postgresDemoStore } from './demo-store';
import { postgresDirectoryStore } from './directory-store';
import { postgresGroupRobotStore } from './group-robot-store';
import type { DemoStore } from '../../features/demo';
import { postgresJobStore } from './job-store';
import { mapDatabaseError } from './pg-errors';
import { postgresOutboxStore } from './outbox-store';
import { postgresRosterStore } from './roster-store';
import { postgresInboxStore, postgresPlatformStore } from './platform-store';
import { postgresSessionStore } from './session-store';

/**
 * Wraps every store method so that what PostgreSQL refuses reaches features as a stable AppError.
 */
function mappingErrors<T extends object>(store: T): T {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (error) {
          throw mapDatabaseError(error);
        }
      };
    },
  });
}

export function postgresStores(db: Db): Stores {
  return {
    directory: mappingErrors(postgresDirectoryStore(db)),
    jobs: mappingErrors(postgresJobStore(db)),
    candidates: mappingErrors(postgresCandidateStore(db)),
    applications: mappingErrors(postgresApplicationStore(db)),
    sessions: mappingErrors(postgresSessionStore(db)),
    audit: mappingErrors(postgresAuditStore(db)),
    platform: mappingErrors(postgresPlatformStore(db)),
    inbox: mappingErrors(postgresInboxStore(db)),
    outbox: mappingErrors(postgresOutboxStore(db)),
    candidateChannels: mappingErrors(postgresCandidateChannelStore(db)),
    roster: mappingErrors(postgresRosterStore(db)),
    groupRobots: mappingErrors(postgresGroupRobotStore(db)),
  };
}

export function postgresTransact(db: Db): Transact {
  return async (work) => {
    try {
      return await db.transaction().execute((trx) => work(postgresStores(trx)));
    } catch (error) {
      throw mapDatabaseError(error);
    }
  };
}

/** A transaction that also hands out the demo-seed store (used only by the demo seed). */
export function postgresTransactWithDemo(db: Db) {
  return async <T>(work: (stores: Stores, demo: DemoStore) => Promise<T>): Promise<T> => {
    try {
      return await db.transaction().execute((trx) => work(postgresStores(trx), mappingErrors(postgresDemoStore(trx))));
    } catch (error) {
      throw mapDatabaseError(error);
    }
  };
}
