export default definePageConfig({ navigationBarTitleText: '面试包' });
