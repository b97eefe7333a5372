import { describe, expect, it } from 'vitest';
import { progressPrinter } from './sync-roster';

const capture = (isTTY: boolean) => {
  const written: string[] = [];
  return { stream: { isTTY, write: (text: string) => written.push(text) }, written };
};

describe('the sync-roster progress bar', () => {
  it('prints one line per tenth when stderr is not a terminal', () => {
    const { stream, written } = capture(false);
    const bar = progressPrinter(stream);
    bar.update({ phase: 'listing', done: 240, total: null });
    for (let done = 1; done <= 240; done++) bar.update({ phase: 'members', done, total: 240 });
    bar.finish();
    expect(written).toHaveLength(11);
    expect(written[5]).toBe('同步通讯录 Syncing roster [#####.....] 120/240\n');
    expect(written.at(-1)).toBe('同步通讯录 Syncing roster [##########] 240/240\n');
    expect(written.join('')).not.toContain('\r');
  });

  it('redraws one line in place on a terminal and ends it once', () => {
    const { stream, written } = capture(true);
    const bar = progressPrinter(stream);
    bar.update({ phase: 'members', done: 120, total: 240 });
    bar.update({ phase: 'members', done: 240, total: 240 });
    bar.finish();
    expect(written).toEqual(['\r同步通讯录 Syncing roster [#####.....] 120/240\x1b[K', '\r同步通讯录 Syncing roster [##########] 240/240\x1b[K', '\n']);
  });
});
