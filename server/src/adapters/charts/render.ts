import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';

/**
 * Charts for the HR bot and the H5 HR view, drawn on the server: ECharts' server-side rendering writes SVG (no DOM,
 * no canvas), then resvg turns it into a PNG the chat platforms accept as an image. Chinese labels need a CJK font on
 * the machine (e.g. Noto Sans CJK SC): `fontFiles` adds font files, and system fonts are always loaded.
 */
export interface ChartOptions {
  readonly width?: number;
  readonly height?: number;
  readonly fontFiles?: readonly string[];
}

const fontFamily = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', 'DejaVu Sans', sans-serif";

export function renderSvg(option: echarts.EChartsCoreOption, options: ChartOptions = {}): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: options.width ?? 720, height: options.height ?? 420 });
  try {
    chart.setOption({ animation: false, backgroundColor: '#ffffff', textStyle: { fontFamily }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export function svgToPng(svg: string, options: ChartOptions = {}): Buffer {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, fontFiles: [...(options.fontFiles ?? [])], defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'original' },
  });
  return Buffer.from(resvg.render().asPng());
}

export interface FunnelChartData {
  readonly title: string;
  readonly subtitle: string;
  readonly steps: readonly { readonly label: string; readonly count: number }[];
}

export function funnelOption(data: FunnelChartData): echarts.EChartsCoreOption {
  const first = data.steps[0]?.count ?? 0;
  return {
    title: { text: data.title, subtext: data.subtitle, left: 'center' },
    series: [
      {
        type: 'funnel',
        top: 70,
        bottom: 20,
        left: '10%',
        width: '80%',
        sort: 'none',
        minSize: '8%',
        label: { show: true, position: 'inside', formatter: '{b} {c}', color: '#ffffff' },
        data: data.steps.map((s) => ({ name: s.label, value: s.count })),
      },
    ],
    graphic: first === 0 ? [{ type: 'text', left: 'center', top: 'middle', style: { text: '该期间暂无投递 No applications in this period', fontSize: 16, fill: '#666' } }] : [],
  };
}

export interface BarChartData {
  readonly title: string;
  readonly subtitle: string;
  readonly bars: readonly { readonly label: string; readonly value: number }[];
  /** Percent values (0–1) are shown as 12.5%. */
  readonly percent?: boolean;
  /** Appended to each bar's label, e.g. ' 天' (days). */
  readonly valueSuffix?: string;
  /** Shown in the middle when there are no bars (default: no data in this period). */
  readonly emptyText?: string;
}

export function barOption(data: BarChartData): echarts.EChartsCoreOption {
  return {
    title: { text: data.title, subtext: data.subtitle, left: 'center' },
    grid: { top: 80, left: 60, right: 30, bottom: 60 },
    xAxis: { type: 'category', data: data.bars.map((b) => b.label), axisLabel: { interval: 0, rotate: data.bars.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', ...(data.percent && { max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } }) },
    series: [
      {
        type: 'bar',
        data: data.bars.map((b) => b.value),
        label: {
          show: true,
          position: 'top',
          formatter: data.percent ? (p: { value: number }) => `${(p.value * 100).toFixed(1)}%` : data.valueSuffix ? (p: { value: number }) => `${p.value}${data.valueSuffix}` : '{c}',
        },
        itemStyle: { color: '#2f6fed' },
      },
    ],
    graphic: data.bars.length === 0
      ? [{ type: 'text', left: 'center', top: 'middle', style: { text: data.emptyText ?? '该期间暂无数据 No data in this period', fontSize: 16, fill: '#666' } }]
      : [],
  };
}

export const renderFunnelPng = (data: FunnelChartData, options?: ChartOptions) => svgToPng(renderSvg(funnelOption(data), options), options);
export const renderBarPng = (data: BarChartData, options?: ChartOptions) => svgToPng(renderSvg(barOption(data), options), options);
