export default definePageConfig({ navigationBarTitleText: '面试体验问卷' });
