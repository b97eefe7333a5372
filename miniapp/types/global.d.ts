/// <reference types="@tarojs/taro" />
declare module '*.css';
/** The API's origin, fixed at build time (empty on H5: the page's own origin). */
declare const HB_API_URL: string;
/** Subscription-message template ids of the company's mini-program. */
declare const HB_SUBSCRIBE_TEMPLATES: string[];
declare namespace NodeJS {
  interface ProcessEnv {
    TARO_ENV: 'weapp' | 'h5';
  }
}
declare const process: { env: NodeJS.ProcessEnv };
