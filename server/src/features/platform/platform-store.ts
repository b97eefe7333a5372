export type PlatformAppKind = 'wecom_app' | 'wecom_contacts' | 'wecom_kf' | 'wecom_hr' | 'wecom_aibot' | 'wechat_miniprogram' | 'dingtalk_app';

/** A connected platform app. `*Ref` fields say where a secret lives (`env:NAME` or, for demo tenants, `demo:VALUE`). */
export interface PlatformApp {
  readonly id: string;
  readonly tenantId: string;
  readonly kind: PlatformAppKind;
  readonly corpId: string;
  readonly agentId: string | null;
  /** DingTalk only: the app's numeric AgentId (smart HR needs it; agentId holds the AppKey). */
  readonly numericAgentId: string | null;
  readonly secretRef: string;
  readonly callbackTokenRef: string | null;
  readonly encodingAesKeyRef: string | null;
  readonly apiBaseUrl: string;
  readonly tenantIsDemo: boolean;
  /** DingTalk only: the interactive-card template (adapters/dingtalk/card-template.ts); absent → button cards as text. */
  readonly cardTemplateId?: string | null;
}

export interface PlatformStore {
  findApp(appId: string): Promise<PlatformApp | undefined>;
  findAppOfKind(tenantId: string, kind: PlatformAppKind): Promise<PlatformApp | undefined>;
  insertApp(
    tenantId: string,
    app: Omit<PlatformApp, 'id' | 'tenantId' | 'tenantIsDemo' | 'numericAgentId'> & { numericAgentId?: string | null },
  ): Promise<PlatformApp>;
}
