export default definePageConfig({ navigationBarTitleText: '待交评分' });
