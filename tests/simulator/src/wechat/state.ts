import type { Clock } from '../clock';
import type { InjectedFailure } from '../wecom/state';
import { KfState } from './kf';
import { MiniProgramState } from './miniprogram';

/** Everything the simulated WeChat side remembers: 微信客服 accounts and mini-programs. */
export class WechatState {
  readonly kf: KfState;
  readonly miniprogram: MiniProgramState;
  readonly callCounts = new Map<string, number>();
  readonly failures = new Map<string, InjectedFailure[]>();

  constructor(readonly clock: Clock) {
    this.kf = new KfState(clock);
    this.miniprogram = new MiniProgramState(clock);
  }
}
