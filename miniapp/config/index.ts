import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

/**
 * One source, two builds: `weapp` (WeChat, and WeCom which runs WeChat mini-programs) and `h5` (served by the
 * HireBridge server under /h5, used from WeChat's browser and by the end-to-end tests). Each goes to its own folder.
 * The API's address: on H5 the page's own origin; in the mini-program the configured HB_MINIAPP_API_URL (a mini-program
 * may only call the HTTPS domains registered for it).
 */
export default defineConfig<'webpack5'>(async (merge) => {
  const env = process.env.TARO_ENV ?? 'h5';
  // npm keeps some Taro packages in this workspace's own node_modules (not hoisted): let both builds look there too.
  const webpackChain = (chain: { resolve: { modules: { add(dir: string): unknown } } }) => {
    chain.resolve.modules.add(path.resolve(__dirname, '..', 'node_modules')).add('node_modules');
  };
  const base: UserConfigExport<'webpack5'> = {
    projectName: 'hirebridge-miniapp',
    date: '2026-12-4',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${env}`,
    plugins: [],
    defineConstants: {
      HB_API_URL: JSON.stringify(env === 'h5' ? '' : (process.env.HB_MINIAPP_API_URL ?? 'http://127.0.0.1:3000')),
      // The company's subscription-message template ids (comma-separated), asked for in one prompt at the confirm tap.
      HB_SUBSCRIBE_TEMPLATES: JSON.stringify((process.env.HB_MINIAPP_SUBSCRIBE_TEMPLATES ?? '').split(',').map((t) => t.trim()).filter(Boolean)),
    },
    alias: { '@': path.resolve(__dirname, '..', 'src') },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: process.env.HB_MINIAPP_CACHE === 'true' },
    logger: { quiet: true, stats: false },
    mini: {
      webpackChain,
      postcss: { pxtransform: { enable: true, config: {} }, cssModules: { enable: false } },
    },
    h5: {
      publicPath: '/h5/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[contenthash:8].js' },
      miniCssExtractPluginOption: { ignoreOrder: true, filename: 'css/[name].[contenthash:8].css', chunkFilename: 'css/[name].[contenthash:8].css' },
      webpackChain,
      postcss: { autoprefixer: { enable: true, config: {} }, cssModules: { enable: false } },
    },
  };
  return merge({}, base, process.env.NODE_ENV === 'development' ? {} : { mini: {}, h5: {} });
});
