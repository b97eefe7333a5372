/** In-memory state of the simulated WeCom tenants: corps, their apps, departments, members and inboxes. */

export interface AppConfig {
  /** 应用 AgentId */
  readonly agentId: number;
  /** 应用 Secret: its access_token may send as this app only. */
  readonly secret: string;
  readonly name?: string;
}

export interface CorpConfig {
  readonly corpId: string;
  readonly name?: string;
  readonly apps: readonly AppConfig[];
  /** 通讯录同步 Secret: its access_token may read the whole directory but not send messages. */
  readonly contactsSecret?: string;
  /** 微信客服 Secret (微信客服 → API): its access_token may call /cgi-bin/kf/* only. See src/wechat/. */
  readonly kfSecret?: string;
  /** 接收消息 → Token and EncodingAESKey, shared here by every app of the corp. */
  readonly callbackToken: string;
  readonly encodingAesKey: string;
  readonly callbackUrl?: string;
  /** When set, more gettoken calls than this within an hour for the corp answer 45009. */
  readonly gettokenLimitPerHour?: number;
}

export interface DepartmentInput {
  readonly id: number;
  readonly name: string;
  /** 0 only for the root department (id 1). */
  readonly parentid?: number;
  readonly order?: number;
}

/** 1 activated, 2 disabled, 4 not activated, 5 left the company. https://developer.work.weixin.qq.com/document/path/90196 */
export type MemberStatus = 1 | 2 | 4 | 5;

export interface UserInput {
  readonly userid: string;
  readonly name: string;
  readonly department: readonly number[];
  readonly position?: string;
  readonly mobile?: string;
  /**
   * Apps created after 2022-06-20 only see a member's mobile once the member authorised it
   * (https://developer.work.weixin.qq.com/document/path/90196 notes); the contacts-sync secret always sees it.
   */
  readonly mobileAuthorized?: boolean;
  readonly status?: MemberStatus;
  /** 直属上级 UserIDs; user/get answers them as the list `direct_leader`. */
  readonly directLeader?: readonly string[];
  /** 主部门; user/get answers `main_department`, the first department when not set. */
  readonly mainDepartment?: number;
}

export interface Department {
  readonly id: number;
  readonly name: string;
  readonly parentid: number;
  readonly order: number;
}

export interface Member extends UserInput {
  readonly status: MemberStatus;
}

export interface CardButton {
  readonly key: string;
  readonly text: string;
  readonly style?: number;
}

/** A template card as one member currently sees it. */
export interface CardView {
  readonly cardType: string;
  readonly taskId?: string;
  title?: string;
  description?: string;
  buttons: CardButton[];
  /** Set once the card was greyed out by update_template_card `button.replace_name` or a passive update_button reply. */
  replaceName?: string;
  /** The last full `template_card` object sent or pushed by update_template_card. */
  template: Record<string, unknown>;
}

export interface ReceivedMessage {
  readonly msgid: string;
  readonly agentId: number;
  readonly msgtype: string;
  readonly receivedAt: Date;
  /** Text content, or markdown source. */
  readonly content?: string;
  /** The type-specific object of the request, e.g. `textcard` or `template_card`. */
  readonly payload: Record<string, unknown>;
  readonly card?: CardView;
}

export type DropReason = 'per-minute-cap' | 'per-hour-cap' | 'duplicate';

export interface DroppedMessage extends ReceivedMessage {
  readonly reason: DropReason;
}

export class Corp {
  readonly departments = new Map<number, Department>();
  /** Keyed by lower-cased userid: WeCom matches userids case-insensitively and reports them lower-cased. */
  readonly members = new Map<string, Member>();
  readonly inbox = new Map<string, ReceivedMessage[]>();
  readonly droppedBox = new Map<string, DroppedMessage[]>();

  constructor(readonly config: CorpConfig) {
    this.departments.set(1, { id: 1, name: config.name ?? config.corpId, parentid: 0, order: 100000000 });
  }

  app(agentId: number): AppConfig | undefined {
    return this.config.apps.find((a) => a.agentId === agentId);
  }

  addDepartment(input: DepartmentInput): void {
    const parentid = input.parentid ?? 1;
    if (input.id !== 1 && !this.departments.has(parentid)) {
      throw new Error(`department ${input.id}: parent ${parentid} does not exist in ${this.config.corpId}`);
    }
    this.departments.set(input.id, { id: input.id, name: input.name, parentid, order: input.order ?? 0 });
  }

  addUser(input: UserInput): void {
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(input.userid)) throw new Error(`invalid userid ${input.userid}`);
    if (input.department.length === 0) throw new Error(`user ${input.userid} needs a department`);
    for (const id of input.department) {
      if (!this.departments.has(id)) throw new Error(`user ${input.userid}: department ${id} does not exist`);
    }
    this.members.set(input.userid.toLowerCase(), { ...input, status: input.status ?? 1 });
  }

  removeUser(userid: string): void {
    this.members.delete(userid.toLowerCase());
  }

  member(userid: string): Member | undefined {
    return this.members.get(userid.toLowerCase());
  }

  /** The department and all its descendants, as department/simplelist returns them. */
  subtree(rootId: number): Department[] {
    const result: Department[] = [];
    const walk = (id: number) => {
      const dept = this.departments.get(id);
      if (!dept) return;
      result.push(dept);
      for (const child of this.departments.values()) if (child.parentid === id && child.id !== id) walk(child.id);
    };
    walk(rootId);
    return result;
  }

  received(userid: string): ReceivedMessage[] {
    return this.inbox.get(userid.toLowerCase()) ?? [];
  }

  dropped(userid: string): DroppedMessage[] {
    return this.droppedBox.get(userid.toLowerCase()) ?? [];
  }

  deliver(userid: string, message: ReceivedMessage): void {
    const key = userid.toLowerCase();
    const list = this.inbox.get(key) ?? [];
    list.push(message);
    this.inbox.set(key, list);
  }

  drop(userid: string, message: DroppedMessage): void {
    const key = userid.toLowerCase();
    const list = this.droppedBox.get(key) ?? [];
    list.push(message);
    this.droppedBox.set(key, list);
  }
}
