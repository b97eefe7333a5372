import type { Clock } from '../clock';
import type { DeliveryReport } from '../wecom/callbacks';
import type { WecomSimulator } from '../wecom/wecom-simulator';
import { kfDoorbellXml, ringDoorbell } from './kf-callback';
import type { KfAccountInput, KfReceived, KfRefusal, KfSyncedMessage } from './kf';
import type { MiniProgramInput, SubscriptionMessage } from './miniprogram';
import { WechatState } from './state';

export interface KfActionOptions {
  /** Ring the doorbell after the message (default true); false lets several messages pile up for one sync. */
  readonly ring?: boolean;
}

export interface KfActionResult {
  readonly externalUserId: string;
  readonly message: KfSyncedMessage;
  /** The doorbell delivery, when one was rung. */
  readonly delivery?: DeliveryReport;
}

export type CandidateReceived = ({ readonly channel: 'kf' } & KfReceived) | ({ readonly channel: 'subscription' } & SubscriptionMessage);

/**
 * `sim.wechat`: people on personal WeChat. A "WeChat user" is any name you choose; the simulator gives that person
 * an external_userid per corp (微信客服) and an openid per mini-program, as WeChat does.
 */
export class WechatSimulator {
  readonly state: WechatState;

  constructor(
    private readonly clock: Clock,
    private readonly wecom: WecomSimulator,
  ) {
    this.state = new WechatState(clock);
  }

  // —— 微信客服 ——

  /** A 微信客服 account of a WeCom corp; the corp needs `kfSecret` in addCorp for the kf APIs. */
  addKfAccount(input: KfAccountInput): void {
    this.wecom.state.corp(input.corpId);
    this.state.kf.addAccount(input);
  }

  externalUserIdOf(wechatUser: string, corpId: string): string {
    return this.state.kf.externalUserId(corpId, wechatUser);
  }

  /**
   * The user opens a contact link (from add_contact_way, plus `&scene_param=` the caller appended): WeCom logs an
   * enter_session event carrying scene and the decoded scene_param, and rings the doorbell.
   */
  async openKfLink(wechatUser: string, link: string, options: KfActionOptions = {}): Promise<KfActionResult & { sceneParam?: string }> {
    const url = new URL(link);
    const encScene = url.searchParams.get('enc_scene') ?? '';
    const scene = this.state.kf.scenes.get(encScene);
    if (!scene) throw new Error(`not a contact link issued by the simulator: ${link}`);
    const rawParam = /[?&]scene_param=([^&]*)/.exec(link)?.[1];
    // https://developer.work.weixin.qq.com/document/path/94665 : scene_param ≤128 bytes, urlencoded.
    if (rawParam !== undefined && Buffer.byteLength(rawParam) > 128) throw new Error(`scene_param is longer than 128 bytes: ${rawParam.length}`);
    const sceneParam = rawParam === undefined ? undefined : decodeURIComponent(rawParam);
    const account = this.state.kf.accounts.get(scene.openKfId);
    if (!account) throw new Error(`kf account ${scene.openKfId} is gone`);
    const externalUserId = this.state.kf.externalUserId(account.corpId, wechatUser);
    const { message, token } = this.state.kf.append(account.corpId, {
      open_kfid: account.openKfId,
      origin: 4,
      msgtype: 'event',
      event: {
        event_type: 'enter_session',
        open_kfid: account.openKfId,
        external_userid: externalUserId,
        scene: scene.scene,
        ...(sceneParam === undefined ? {} : { scene_param: sceneParam }),
        welcome_code: this.state.kf.issueMsgToken(account.openKfId).slice(3, 27),
      },
    });
    const delivery = options.ring === false ? undefined : await this.ring(account, token);
    return { externalUserId, message, ...(delivery && { delivery }), ...(sceneParam !== undefined && { sceneParam }) };
  }

  /** The user writes to the kf account. */
  async customerSays(wechatUser: string, openKfId: string, content: string, options: KfActionOptions = {}): Promise<KfActionResult> {
    return this.customerText(wechatUser, openKfId, { content }, options);
  }

  /**
   * The user taps an item of a msgmenu they received: it arrives as a text message with `text.menu_id`.
   * https://developer.work.weixin.qq.com/document/path/94670 (菜单消息 click 回复)
   */
  async clickMenu(wechatUser: string, openKfId: string, menuId: string, options: KfActionOptions = {}): Promise<KfActionResult> {
    const account = this.kfAccount(openKfId);
    const externalUserId = this.state.kf.externalUserId(account.corpId, wechatUser);
    const menus = (this.state.kf.inboxes.get(externalUserId) ?? []).filter((m) => m.menu && m.openKfId === openKfId);
    const item = menus.reverse().flatMap((m) => m.menu?.items ?? []).find((i) => i.id === menuId);
    if (!item) throw new Error(`${wechatUser} received no menu from ${openKfId} with item ${menuId}`);
    return this.customerText(wechatUser, openKfId, { content: item.content, menu_id: menuId }, options);
  }

  /** Rings the doorbell again without a new message (WeCom may ring more than once; retries are separate). */
  async ringKf(openKfId: string): Promise<DeliveryReport> {
    const account = this.kfAccount(openKfId);
    return this.ring(account, this.state.kf.issueMsgToken(openKfId));
  }

  kfReceived(externalUserId: string): KfReceived[] {
    return [...(this.state.kf.inboxes.get(externalUserId) ?? [])];
  }

  /** send_msg calls refused for the reply window (95001 / 95002). */
  kfRefusals(externalUserId: string): KfRefusal[] {
    return [...(this.state.kf.refusals.get(externalUserId) ?? [])];
  }

  // —— mini-program ——

  addMiniProgram(input: MiniProgramInput): void {
    this.state.miniprogram.add(input);
  }

  /** wx.login() inside the mini-program: a single-use code valid 5 minutes. */
  login(wechatUser: string, appId: string): string {
    return this.state.miniprogram.login(appId, wechatUser);
  }

  openidOf(wechatUser: string, appId: string): string {
    return this.state.miniprogram.openid(appId, wechatUser);
  }

  /** wx.requestSubscribeMessage answered "accept" for each template: one send right each. */
  acceptSubscription(openid: string, templateIds: readonly string[]): void {
    this.state.miniprogram.accept(openid, templateIds);
  }

  subscriptionBalance(openid: string, templateId: string): number {
    return this.state.miniprogram.balance(openid, templateId);
  }

  subscriptionReceived(openid: string): SubscriptionMessage[] {
    return [...(this.state.miniprogram.inboxes.get(openid) ?? [])];
  }

  /** What reached this person: pass an external_userid (微信客服) or an openid (subscription messages). */
  received(id: string): CandidateReceived[] {
    return [
      ...this.kfReceived(id).map((m) => ({ channel: 'kf' as const, ...m })),
      ...this.subscriptionReceived(id).map((m) => ({ channel: 'subscription' as const, ...m })),
    ];
  }

  // —— both ——

  /** The next `count` calls to `path` (e.g. "/cgi-bin/kf/send_msg") answer `errcode` before any other check. */
  failNext(path: string, errcode: number, count = 1): void {
    const queue = this.state.failures.get(path) ?? [];
    queue.push({ errcode, remaining: count });
    this.state.failures.set(path, queue);
  }

  calls(path: string): number {
    return this.state.callCounts.get(path) ?? 0;
  }

  private kfAccount(openKfId: string): KfAccountInput {
    const account = this.state.kf.accounts.get(openKfId);
    if (!account) throw new Error(`unknown kf account ${openKfId}`);
    return account;
  }

  private async customerText(
    wechatUser: string,
    openKfId: string,
    text: { content: string; menu_id?: string },
    options: KfActionOptions,
  ): Promise<KfActionResult> {
    const account = this.kfAccount(openKfId);
    const externalUserId = this.state.kf.externalUserId(account.corpId, wechatUser);
    const { message, token } = this.state.kf.append(account.corpId, {
      open_kfid: openKfId,
      external_userid: externalUserId,
      origin: 3,
      msgtype: 'text',
      text,
    });
    const delivery = options.ring === false ? undefined : await this.ring(account, token);
    return { externalUserId, message, ...(delivery && { delivery }) };
  }

  private ring(account: KfAccountInput, token: string): Promise<DeliveryReport> {
    const corp = this.wecom.state.corp(account.corpId);
    const xml = kfDoorbellXml(account.corpId, Math.floor(this.clock.now().getTime() / 1000), token, account.openKfId);
    return ringDoorbell(corp, account, this.clock, this.wecom.callbackTiming, xml);
  }
}
