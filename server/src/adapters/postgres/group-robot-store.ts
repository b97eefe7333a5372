import type { GroupRobotStore } from '../../features/group-robots';
import type { Db } from './database';

/** A robot id is a uuid; anything else (an outbox recipient of another shape) names no robot instead of failing the query. */
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function postgresGroupRobotStore(db: Db): GroupRobotStore {
  const select = () =>
    db.selectFrom('group_robots').innerJoin('tenants', 'tenants.id', 'group_robots.tenant_id').selectAll('group_robots').select('tenants.is_demo');
  type Row = Awaited<ReturnType<ReturnType<typeof select>['executeTakeFirstOrThrow']>>;
  const toRobot = (row: Row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    platform: row.platform,
    name: row.name,
    chatName: row.chat_name,
    keyRef: row.key_ref,
    signSecretRef: row.sign_secret_ref,
    apiBaseUrl: row.api_base_url,
    tenantIsDemo: row.is_demo,
  });
  const store: GroupRobotStore = {
    async insertRobot(tenantId, robot) {
      const { id } = await db
        .insertInto('group_robots')
        .values({
          tenant_id: tenantId,
          platform: robot.platform,
          name: robot.name,
          chat_name: robot.chatName,
          key_ref: robot.keyRef,
          sign_secret_ref: robot.signSecretRef,
          api_base_url: robot.apiBaseUrl,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const created = await store.findRobot(tenantId, id);
      if (!created) throw new Error('inserted group robot not found');
      return created;
    },
    async findRobot(tenantId, robotId) {
      if (!uuid.test(robotId) || !uuid.test(tenantId)) return undefined;
      const row = await select().where('group_robots.tenant_id', '=', tenantId).where('group_robots.id', '=', robotId).executeTakeFirst();
      return row && toRobot(row);
    },
    async listRobots(tenantId) {
      const rows = await select().where('group_robots.tenant_id', '=', tenantId).orderBy('group_robots.name').execute();
      return rows.map(toRobot);
    },
  };
  return store;
}
