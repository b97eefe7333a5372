export default definePageConfig({ navigationBarTitleText: '招聘报表' });
