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
  // The interviewer pages, in their own subpackage: candidates never download them.
  subPackages: [
    {
      root: 'pages/interviewer/',
      pages: ['signin/index', 'today/index', 'kit/index', 'notes/index', 'scorecard/index', 'pending/index', 'debrief/index'],
    },
    // HR reports (charts drawn on the server with their numbers), for HR, hiring managers and admins.
    {
      root: 'pages/hr/',
      pages: ['reports/index'],
    },
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: '招聘桥',
    navigationBarTextStyle: 'black',
  },
});
