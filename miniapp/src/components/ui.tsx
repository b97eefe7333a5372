import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { ReactNode } from 'react';

export function ErrorBox({ message }: { message: string | null }) {
  return message ? <Text className='error' id='error'>{message}</Text> : null;
}

export function Loading({ show }: { show: boolean }) {
  return show ? <View className='muted'>加载中… Loading…</View> : null;
}

export function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <View className='row'>
      <Text className='label'>{label}</Text>
      <View className='value'>{children}</View>
    </View>
  );
}

export function go(url: string): void {
  void Taro.navigateTo({ url });
}

/** After an action on a page opened from another: back to it (it reloads on show), or to `fallback` when opened directly. */
export function back(fallback: string): void {
  if (Taro.getCurrentPages().length > 1) void Taro.navigateBack();
  else void Taro.redirectTo({ url: fallback });
}

export function Nav() {
  return (
    <View className='nav'>
      <Text className='nav-link' onClick={() => go('/pages/mine/index')}>我的面试</Text>
      <Text className='nav-link' onClick={() => go('/pages/privacy/index')}>隐私与我的数据</Text>
    </View>
  );
}
