export default defineAppConfig({
  pages: [
    'pages/invite/index',
    'pages/slots/index',
    'pages/decline/index',
    'pages/mine/index',
    'pages/checkin/index',
    'pages/survey/index',
    'pages/privacy/index',
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: '招聘桥',
    navigationBarTextStyle: 'black',
  },
});
