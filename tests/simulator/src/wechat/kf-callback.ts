import { randomInt } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import type { Clock } from '../clock';
import { cdata } from '../wecom/callback-xml';
import type { CallbackTiming, DeliveryAttempt, DeliveryReport } from '../wecom/callbacks';
import type { Corp } from '../wecom/corp';
import type { KfAccountInput } from './kf';

/**
 * The 微信客服 doorbell. WeCom never pushes the messages themselves: it posts `Event=kf_msg_or_event` with a Token
 * (valid 10 minutes, lifts sync_msg's rate limit) and the OpenKfId, encrypted and signed like app callbacks.
 * https://developer.work.weixin.qq.com/document/path/94670 (接收消息和事件), 91144 (加解密)
 */
export function kfDoorbellXml(corpId: string, createTime: number, token: string, openKfId: string): string {
  return (
    `<xml><ToUserName>${cdata(corpId)}</ToUserName><CreateTime>${createTime}</CreateTime>` +
    `<MsgType>${cdata('event')}</MsgType><Event>${cdata('kf_msg_or_event')}</Event>` +
    `<Token>${cdata(token)}</Token><OpenKfId>${cdata(openKfId)}</OpenKfId></xml>`
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Posts one doorbell with WeCom's retries (no 200 within the timeout → retried). The envelope carries only
 * ToUserName and Encrypt: the kf callback belongs to no agent. Same crypto as src/wecom/callbacks.ts.
 */
export async function ringDoorbell(
  corp: Corp,
  account: KfAccountInput,
  clock: Clock,
  timing: CallbackTiming,
  innerXml: string,
): Promise<DeliveryReport> {
  const url = account.callbackUrl;
  if (!url) throw new Error(`kf account ${account.openKfId} has no callbackUrl`);
  const token = account.callbackToken ?? corp.config.callbackToken;
  const aesKey = account.encodingAesKey ?? corp.config.encodingAesKey;
  const cipherText = encrypt(aesKey, innerXml, corp.config.corpId);
  const timestamp = String(Math.floor(clock.now().getTime() / 1000));
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  const query = new URLSearchParams({ msg_signature: getSignature(token, timestamp, nonce, cipherText), timestamp, nonce });
  const body = `<xml><ToUserName>${cdata(corp.config.corpId)}</ToUserName><Encrypt>${cdata(cipherText)}</Encrypt></xml>`;
  const target = `${url}${url.includes('?') ? '&' : '?'}${query.toString()}`;
  const attempts: DeliveryAttempt[] = [];
  for (let attempt = 1; attempt <= timing.retries + 1; attempt++) {
    if (attempt > 1) await sleep(timing.retryIntervalMs);
    const started = performance.now();
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body,
        signal: AbortSignal.timeout(timing.timeoutMs),
      });
      const reply = await response.text();
      attempts.push({ attempt, status: response.status, latencyMs: Math.round(performance.now() - started) });
      if (response.status === 200) return { ok: true, attempts, reply };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      attempts.push({
        attempt,
        latencyMs: Math.round(performance.now() - started),
        error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : String(error),
      });
    }
  }
  return { ok: false, attempts };
}
