/** In a browser the link opens in a new tab. */
export async function openLink(url: string): Promise<'opened' | 'copied'> {
  window.open(url, '_blank', 'noopener');
  return 'opened';
}
