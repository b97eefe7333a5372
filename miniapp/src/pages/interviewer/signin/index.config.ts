export default definePageConfig({ navigationBarTitleText: '面试官登录' });
