export default definePageConfig({ navigationBarTitleText: '面评汇总' });
