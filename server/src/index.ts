export { startHireBridge, type RunningHireBridge } from './server';
export { createApp, type AppDeps, type HireBridgeApp } from './http/create-app';
