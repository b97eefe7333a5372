import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scorecardLink } from '../../features/copilot/nudges';
import { schedulingLinks } from './identity';

/** Every page the mini-app has, as Taro's hash router knows it (main package and subpackages). */
function miniappPages(): Set<string> {
  const config = readFileSync(new URL('../../../../miniapp/src/app.config.ts', import.meta.url), 'utf8');
  const pages = new Set<string>();
  for (const [, list] of config.matchAll(/^\s*pages: \[([^\]]*)\]/gm)) for (const [, page] of list!.matchAll(/'([^']+)'/g)) pages.add(page!);
  for (const [, root, list] of config.matchAll(/root: '([^']+)',\s*pages: \[([^\]]*)\]/g)) for (const [, page] of list!.matchAll(/'([^']+)'/g)) pages.add(`${root}${page}`);
  return pages;
}

const pageOf = (url: string) => new URL(url).hash.replace(/^#\//, '').split('?')[0]!;

describe('deep links in cards and messages', () => {
  it('open pages the mini-app has', () => {
    const pages = miniappPages();
    expect(pages).toContain('pages/invite/index');
    expect(pages).toContain('pages/interviewer/kit/index');
    const links = schedulingLinks('https://hire.example.com');
    for (const url of [links.invitationUrl('t'), links.interviewUrl('i'), scorecardLink('https://hire.example.com', 'i')]) {
      expect(pages, url).toContain(pageOf(url));
    }
  });
});
