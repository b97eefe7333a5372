import Taro from '@tarojs/taro';

/** A mini-program may not open arbitrary web pages: the link is copied for the browser or the meeting app. */
export async function openLink(url: string): Promise<'opened' | 'copied'> {
  await Taro.setClipboardData({ data: url });
  return 'copied';
}
