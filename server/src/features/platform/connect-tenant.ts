import { z } from 'zod';

/**
 * A company's connection to its platform, as an operator writes it in a file: the tenant, its apps (each WeCom
 * secret is its own app: the self-built app, contacts sync, 微信客服, the HR assistant, the AI bot) and the first
 * administrators. Secrets are references to environment variables, never values.
 */
const envRef = z
  .string()
  .regex(/^env:[A-Z_][A-Z0-9_]*$/, { message: '必须是环境变量引用，如 env:XINGHE_APP_SECRET (must be env:NAME; secrets never go in files)' });

const defaultBaseUrl = {
  wecom_app: 'https://qyapi.weixin.qq.com',
  wecom_contacts: 'https://qyapi.weixin.qq.com',
  wecom_kf: 'https://qyapi.weixin.qq.com',
  wecom_hr: 'https://qyapi.weixin.qq.com',
  wecom_aibot: 'https://qyapi.weixin.qq.com',
  wechat_miniprogram: 'https://api.weixin.qq.com',
  dingtalk_app: 'https://api.dingtalk.com',
} as const;

const App = z
  .object({
    kind: z.enum(['wecom_app', 'wecom_contacts', 'wecom_kf', 'wecom_hr', 'wecom_aibot', 'wechat_miniprogram', 'dingtalk_app']),
    agentId: z.string().regex(/^[A-Za-z0-9_-]+$/).optional().describe('WeCom AgentId; DingTalk AppKey'),
    numericAgentId: z.string().regex(/^\d+$/).optional().describe('DingTalk only: the numeric AgentId smart HR needs'),
    secret: envRef,
    callbackToken: envRef.optional(),
    encodingAesKey: envRef.optional(),
    apiBaseUrl: z.url().optional().describe('Only to point at a proxy or the local simulator'),
    cardTemplateId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,128}$/, { message: '卡片模板 ID 只能含字母、数字和 ._- (card template id: letters, digits, ._-, ≤ 128)' })
      .optional()
      .describe('DingTalk only: the interactive-card template id from the card platform; without it button cards are sent as text'),
  })
  .strict()
  .refine((a) => a.kind !== 'wecom_app' || a.agentId !== undefined, { message: 'wecom_app 需要 agentId (wecom_app needs agentId)', path: ['agentId'] })
  .refine((a) => a.kind !== 'dingtalk_app' || a.agentId !== undefined, { message: 'dingtalk_app 需要 agentId，即 AppKey (dingtalk_app needs agentId: its AppKey)', path: ['agentId'] })
  .refine((a) => a.kind === 'dingtalk_app' || a.numericAgentId === undefined, { message: '只有钉钉应用有 numericAgentId (only DingTalk apps)', path: ['numericAgentId'] })
  .refine((a) => a.kind === 'dingtalk_app' || a.cardTemplateId === undefined, { message: '只有钉钉应用有 cardTemplateId (only DingTalk apps)', path: ['cardTemplateId'] })
  .refine((a) => (a.callbackToken === undefined) === (a.encodingAesKey === undefined), {
    message: 'callbackToken 与 encodingAesKey 需同时提供 (give both or neither)',
    path: ['encodingAesKey'],
  });

/** A group robot: a send-only webhook into one group chat (WeCom 群机器人, DingTalk 自定义机器人). */
const Robot = z
  .object({
    name: z.string().trim().min(1).max(64),
    chatName: z.string().trim().max(128).default(''),
    /** The WeCom webhook key or the DingTalk access_token. */
    key: envRef,
    /** DingTalk 加签 secret, when the robot has signing on. */
    signSecret: envRef.optional(),
    apiBaseUrl: z.url().optional(),
  })
  .strict();

export const TenantConnection = z
  .object({
    tenant: z
      .object({
        name: z.string().trim().min(1).max(100),
        platform: z.enum(['wecom', 'dingtalk']),
        corpId: z.string().trim().min(1).max(64),
        timeZone: z.string().default('Asia/Shanghai'),
      })
      .strict(),
    apps: z
      .array(App)
      .min(1)
      .refine((apps) => new Set(apps.map((a) => a.kind)).size === apps.length, { message: '每种应用只能出现一次 (one entry per kind)' }),
    /** Platform user ids of the first administrators; the roster sync fills in their details. */
    admins: z.array(z.string().trim().min(1)).min(1),
    robots: z
      .array(Robot)
      .default([])
      .refine((robots) => new Set(robots.map((r) => r.name)).size === robots.length, { message: '机器人名称不能重复 (robot names must be unique)' }),
  })
  .strict()
  .refine((c) => c.tenant.platform === 'dingtalk' || c.robots.every((r) => r.signSecret === undefined), {
    message: '只有钉钉机器人支持加签 (only DingTalk robots sign)',
    path: ['robots'],
  });
export type TenantConnection = z.infer<typeof TenantConnection>;

export const robotBaseUrl = { wecom: 'https://qyapi.weixin.qq.com', dingtalk: 'https://oapi.dingtalk.com' } as const;

export const baseUrlOf = (kind: keyof typeof defaultBaseUrl, override?: string) => override ?? defaultBaseUrl[kind];
