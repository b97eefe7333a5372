import { describe, expect, it } from 'vitest';
import { barOption, funnelOption, renderBarPng, renderFunnelPng, renderSvg } from './render';

const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('server-side charts', () => {
  it('renders a funnel to SVG with its steps, then to a PNG of the asked size', () => {
    const data = { title: 'Funnel', subtitle: 'last 30 days', steps: [{ label: 'Applied', count: 40 }, { label: 'Hired', count: 2 }] };
    const svg = renderSvg(funnelOption(data));
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('Applied 40');
    expect(svg).toContain('Hired 2');
    const image = renderFunnelPng(data, { width: 600, height: 300 });
    expect([...image.subarray(0, 8)]).toEqual(png);
    // IHDR: width and height, big-endian, at bytes 16–23.
    expect([image.readUInt32BE(16), image.readUInt32BE(20)]).toEqual([600, 300]);
  });

  it('says so when a funnel has no applications, and draws percentages on bars', () => {
    expect(renderSvg(funnelOption({ title: 'x', subtitle: 'y', steps: [{ label: 'Applied', count: 0 }] }))).toContain('No applications in this period');
    const svg = renderSvg(barOption({ title: 'No-show', subtitle: '', percent: true, bars: [{ label: 'A', value: 0.125 }] }));
    expect(svg).toContain('12.5%');
    expect([...renderBarPng({ title: 'x', subtitle: '', bars: [] }).subarray(0, 8)]).toEqual(png);
  });

  it('labels bars with a unit and says so when there are no bars', () => {
    const svg = renderSvg(barOption({ title: '招聘周期', subtitle: '', valueSuffix: ' 天', bars: [{ label: 'Backend', value: 12.5 }] }));
    expect(svg).toContain('12.5 天');
    expect(renderSvg(barOption({ title: 'x', subtitle: '', bars: [] }))).toContain('No data in this period');
    expect(renderSvg(barOption({ title: 'x', subtitle: '', bars: [], emptyText: 'Nobody hired' }))).toContain('Nobody hired');
  });
});
