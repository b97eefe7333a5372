import type { Stores, Transact } from '../../features/context';
import { postgresGroupChatStore } from './group-chat-store';
import { demoFieldCipher, type FieldCipher } from '../../domain/field-cipher';
import { systemClock, type Clock } from '../../ports/clock';
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
import { postgresRetentionStore } from './retention-store';
import { postgresInboxStore, postgresPlatformStore } from './platform-store';
import { postgresSessionStore } from './session-store';
import { postgresIdentityStore } from './identity-store';
import { postgresPrivacyStore } from './privacy-store';
import { postgresInterviewStore } from './interview-store';
import { postgresReminderStore } from './reminder-store';
import { postgresSurveyStore } from './survey-store';
import { postgresCopilotStore } from './copilot-store';
import { postgresBotStore } from './bot-store';
import { postgresReportStore } from './report-store';

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

/**
 * `cipher` encrypts personal data at rest; without one (tests, tools) the public demo key is used. The server always
 * passes the configured keys (HB_DATA_KEYS), and configuration refuses production without them. `clock` stamps the
 * times stores write themselves (an outbox row is due from the clock's now, not the database's), so one clock rules.
 */
export function postgresStores(db: Db, cipher: FieldCipher = demoFieldCipher(), clock: Clock = systemClock): Stores {
  return {
    directory: mappingErrors(postgresDirectoryStore(db)),
    jobs: mappingErrors(postgresJobStore(db)),
    candidates: mappingErrors(postgresCandidateStore(db, cipher)),
    applications: mappingErrors(postgresApplicationStore(db)),
    sessions: mappingErrors(postgresSessionStore(db)),
    audit: mappingErrors(postgresAuditStore(db)),
    platform: mappingErrors(postgresPlatformStore(db)),
    inbox: mappingErrors(postgresInboxStore(db, clock)),
    outbox: mappingErrors(postgresOutboxStore(db, clock)),
    candidateChannels: mappingErrors(postgresCandidateChannelStore(db, cipher)),
    roster: mappingErrors(postgresRosterStore(db)),
    groupRobots: mappingErrors(postgresGroupRobotStore(db)),
    identity: mappingErrors(postgresIdentityStore(db)),
    privacy: mappingErrors(postgresPrivacyStore(db)),
    interviews: mappingErrors(postgresInterviewStore(db)),
    reminders: mappingErrors(postgresReminderStore(db)),
    surveys: mappingErrors(postgresSurveyStore(db)),
    bot: mappingErrors(postgresBotStore(db)),
    retention: mappingErrors(postgresRetentionStore(db)),
    copilot: mappingErrors(postgresCopilotStore(db, cipher)),
    groupChat: mappingErrors(postgresGroupChatStore(db)),
    reports: mappingErrors(postgresReportStore(db)),
  };
}

export function postgresTransact(db: Db, cipher: FieldCipher = demoFieldCipher(), clock: Clock = systemClock): Transact {
  return async (work) => {
    try {
      return await db.transaction().execute((trx) => work(postgresStores(trx, cipher, clock)));
    } catch (error) {
      throw mapDatabaseError(error);
    }
  };
}

/** A transaction that also hands out the demo-seed store (used only by the demo seed). */
export function postgresTransactWithDemo(db: Db, cipher: FieldCipher = demoFieldCipher(), clock: Clock = systemClock) {
  return async <T>(work: (stores: Stores, demo: DemoStore) => Promise<T>): Promise<T> => {
    try {
      return await db.transaction().execute((trx) => work(postgresStores(trx, cipher, clock), mappingErrors(postgresDemoStore(trx))));
    } catch (error) {
      throw mapDatabaseError(error);
    }
  };
}
