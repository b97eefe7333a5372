import type { FeatureContext } from '../context';
import type { PlatformApp } from './platform-store';

export type { PlatformApp, PlatformAppKind, PlatformStore } from './platform-store';

export async function findPlatformApp(ctx: FeatureContext, appId: string): Promise<PlatformApp | undefined> {
  return ctx.stores.platform.findApp(appId);
}
