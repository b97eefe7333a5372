export default definePageConfig({ navigationBarTitleText: '今日面试' });
