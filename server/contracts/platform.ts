import { z } from 'zod';

export const JsapiSignatureRequest = z.object({ url: z.url().max(2000) }).strict();

const Signature = z.object({ timestamp: z.number().int(), nonceStr: z.string(), signature: z.string() });
export const JsapiSignatures = z
  .object({
    config: Signature.extend({ appId: z.string() }).describe('wx.config({beta: true, appId, timestamp, nonceStr, signature, jsApiList})'),
    agentConfig: Signature.extend({ corpid: z.string(), agentid: z.string() }).describe('wx.agentConfig({corpid, agentid, timestamp, nonceStr, signature, jsApiList})'),
  })
  .meta({ id: 'JsapiSignatures' });
