import { JsapiSignatureRequest, JsapiSignatures } from '../../../contracts';
import { signJsapi } from '../../features/platform/sign-jsapi';
import type { JsapiSignerFor } from '../../ports/jsapi-signer';
import { route } from '../route';

export const platformRoutes = (deps: { jsapiSignerFor: JsapiSignerFor | undefined; publicUrl: string }) => [
  route({
    method: 'post', path: '/api/platform/jsapi-signature', summary: '企业微信 JS-SDK 签名 WeCom JS-SDK signatures for one of our pages', tag: 'platform', access: 'session',
    body: JsapiSignatureRequest, response: JsapiSignatures,
    enabled: () => deps.jsapiSignerFor !== undefined,
    handler: ({ principal, body }) => signJsapi(deps.jsapiSignerFor!, principal, { url: body.url, publicUrl: deps.publicUrl }),
  }),
];
