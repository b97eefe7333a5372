export default definePageConfig({ navigationBarTitleText: '隐私与我的数据' });
