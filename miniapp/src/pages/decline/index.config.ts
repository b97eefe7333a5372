export default definePageConfig({ navigationBarTitleText: '婉拒面试' });
