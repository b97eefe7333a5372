import { AppError } from '../../domain/errors';
import type { Principal } from '../../domain/principal';
import type { JsapiSignatures, JsapiSignerFor } from '../../ports/jsapi-signer';

/**
 * JS-SDK signatures for one of our own pages. Only pages under our public URL are signed: a signature for someone
 * else's page would let it call the JS-SDK as our app.
 */
export async function signJsapi(
  signerFor: JsapiSignerFor,
  principal: Principal,
  input: { url: string; publicUrl: string },
): Promise<JsapiSignatures> {
  const page = new URL(input.url);
  if (page.origin !== new URL(input.publicUrl).origin) {
    throw new AppError('VALIDATION_FAILED', '只能为本系统的页面签名。Only pages of this server can be signed.', [
      { path: 'body.url', message: 'must be under HB_PUBLIC_URL' },
    ]);
  }
  const signer = await signerFor(principal.tenantId);
  if (!signer) throw new AppError('NOT_FOUND', '该企业未配置企业微信应用。This company has no WeCom app configured.');
  return signer.sign(input.url);
}
