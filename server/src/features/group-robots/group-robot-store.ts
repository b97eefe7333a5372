export type GroupRobotPlatform = 'wecom' | 'dingtalk';

/**
 * A group's webhook robot registered by a tenant. `*Ref` fields say where a secret lives (`env:NAME`, or `demo:VALUE`
 * for demo tenants): the WeCom webhook key or the DingTalk access_token, and DingTalk's 加签 secret.
 */
export interface GroupRobotRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly platform: GroupRobotPlatform;
  readonly name: string;
  readonly chatName: string;
  readonly keyRef: string;
  readonly signSecretRef: string | null;
  readonly apiBaseUrl: string;
  readonly tenantIsDemo: boolean;
}

export type NewGroupRobot = Omit<GroupRobotRecord, 'id' | 'tenantId' | 'tenantIsDemo'>;

export interface GroupRobotStore {
  /** A second robot with the same name in the tenant is refused (CONFLICT). */
  insertRobot(tenantId: string, robot: NewGroupRobot): Promise<GroupRobotRecord>;
  /** Only the tenant's own robot: another tenant's id answers undefined. */
  findRobot(tenantId: string, robotId: string): Promise<GroupRobotRecord | undefined>;
  listRobots(tenantId: string): Promise<GroupRobotRecord[]>;
}
