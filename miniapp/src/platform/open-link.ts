/** Opens a map or meeting link; replaced per platform. */
export async function openLink(_url: string): Promise<'opened' | 'copied'> {
  throw new Error('此平台不能打开链接。This platform cannot open links.');
}
