/** Signatures that let an H5 page inside WeCom use the JS-SDK (wx.config and wx.agentConfig). */
export interface JsapiSignature {
  readonly timestamp: number;
  readonly nonceStr: string;
  readonly signature: string;
}

export interface JsapiSignatures {
  readonly config: JsapiSignature & { readonly appId: string };
  readonly agentConfig: JsapiSignature & { readonly corpid: string; readonly agentid: string };
}

export interface JsapiSigner {
  sign(pageUrl: string): Promise<JsapiSignatures>;
}

/** The signer of a tenant's WeCom app, or undefined when the tenant has none. */
export type JsapiSignerFor = (tenantId: string) => Promise<JsapiSigner | undefined>;
