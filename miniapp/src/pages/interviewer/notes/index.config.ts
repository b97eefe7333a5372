export default definePageConfig({ navigationBarTitleText: '面试笔记' });
