import type * as EChartsNamespace from 'echarts';
import { h } from './dom.js';

type ECharts = typeof EChartsNamespace;
export type ChartOption = EChartsNamespace.EChartsOption;

declare global {
  interface Window {
    echarts?: ECharts;
  }
}

let loading: Promise<ECharts> | undefined;

/** ECharts is large; it is loaded (from this service, never a CDN) the first time a chart is drawn. */
function loadECharts(): Promise<ECharts> {
  loading ??= new Promise<ECharts>((resolve, reject) => {
    if (window.echarts) return resolve(window.echarts);
    const script = document.createElement('script');
    script.src = '/assets/vendor/echarts.min.js';
    script.onload = () => (window.echarts ? resolve(window.echarts) : reject(new Error('ECharts did not load')));
    script.onerror = () => {
      loading = undefined;
      reject(new Error('ECharts could not be loaded'));
    };
    document.head.append(script);
  });
  return loading;
}

/** Alert levels keep one colour everywhere; each passes 3:1 against white for graphics. */
export const LEVEL_COLORS: Record<string, string> = { critical: '#b91c1c', high: '#c2410c', medium: '#a16207', low: '#1d4ed8', informational: '#4b5563' };
const FONT = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, sans-serif';

/**
 * ECharts' HTML tooltips are markup with inline styles, which the console's CSP (style-src 'self')
 * refuses: the tooltip is drawn on the canvas instead, as rich text.
 */
function canvasTooltip(tooltip: ChartOption['tooltip']): Pick<ChartOption, 'tooltip'> {
  if (!tooltip) return {};
  const drawn = (t: object) => ({ ...t, renderMode: 'richText' as const, confine: true });
  return { tooltip: Array.isArray(tooltip) ? tooltip.map(drawn) : drawn(tooltip) };
}

/**
 * A chart in a figure captioned `label`. ECharts' aria option writes a text description of the
 * data for screen readers. The disposer is handed to `onDispose` for the page to call.
 */
export function chart(label: string, option: ChartOption, onDispose: (dispose: () => void) => void): HTMLElement {
  // ECharts writes its own description of the data into the drawing's aria-label; the caption names the chart.
  const el = h('div', { class: 'chart', 'data-chart': 'loading' });
  const figure = h('figure', { class: 'chart-figure' }, el, h('figcaption', { class: 'visually-hidden' }, label));
  let instance: EChartsNamespace.ECharts | undefined;
  let disposed = false;
  // Also sizes the chart once the page attaches it.
  const observer = new ResizeObserver(() => instance?.resize());
  loadECharts().then(
    (echarts) => {
      if (disposed) return;
      instance = echarts.init(el, undefined, { renderer: 'canvas' });
      instance.setOption({ aria: { enabled: true }, textStyle: { fontFamily: FONT }, animation: false, ...option, ...canvasTooltip(option.tooltip) });
      el.dataset.chart = 'ready';
      observer.observe(el);
    },
    () => {
      el.dataset.chart = 'failed';
      el.textContent = label;
    },
  );
  onDispose(() => {
    disposed = true;
    observer.disconnect();
    instance?.dispose();
  });
  return figure;
}
