import { z } from 'zod';
import {
  CandidateCodeSignIn,
  EmployeeCodeSignIn,
  Id,
  InvitationIssued,
  InvitationSignIn,
  IssueInvitation,
  SessionIssued,
  SignedOut,
  WebSignInCallback,
  WebSignInStart,
} from '../../../contracts';
import { AppError } from '../../domain/errors';
import * as identity from '../../features/identity';
import { signOut } from '../../features/sessions';
import { route } from '../route';

/** Where the H5 mini-app opens an invitation (hash route: the token never reaches a server log). */
export const invitationUrl = (publicUrl: string, token: string) => `${publicUrl}/h5/#/pages/invite/index?token=${token}`;

/** The links scheduling puts in invitations and panel cards: the candidate's invitation and the interviewer's kit. */
export const schedulingLinks = (publicUrl: string) => ({
  invitationUrl: (token: string) => invitationUrl(publicUrl, token),
  interviewUrl: (interviewId: string) => `${publicUrl}/h5/#/pages/interviewer/kit/index?id=${interviewId}`,
});

/** Sign-in for the four identity kinds, sign-out, and HR issuing invitation links. */
export const identityRoutes = (deps: { publicUrl: string }) => [
  route({
    method: 'post', path: '/api/auth/employee/code', summary: '员工在企业微信/钉钉小程序内登录 Employee sign-in with a mini-app code', tag: 'auth', access: 'public',
    body: EmployeeCodeSignIn, response: SessionIssued,
    handler: ({ features, body, clientIp, requestId }) => identity.signInEmployeeWithCode(features, { ...body, clientIp, requestId }),
  }),
  route({
    method: 'get', path: '/api/auth/web/start', summary: '扫码登录（跳转到企业微信/钉钉）Web login: redirect to WeCom/DingTalk', tag: 'auth', access: 'public',
    query: WebSignInStart, response: z.object({ location: z.string() }), redirect: true,
    handler: ({ features, query, clientIp }) =>
      identity.startWebSignIn(features, { ...query, callbackUrl: `${deps.publicUrl}/api/auth/web/callback`, clientIp }),
  }),
  route({
    method: 'get', path: '/api/auth/web/callback', summary: '扫码登录回调 Web login callback', tag: 'auth', access: 'public',
    query: WebSignInCallback, response: z.object({ location: z.string() }), redirect: true,
    handler: async ({ features, query, clientIp, requestId }) => {
      const code = query.code ?? query.authCode;
      if (!code) throw new AppError('SIGN_IN_FAILED', '登录失败，请重新扫码。Sign-in failed; scan again.');
      const session = await identity.finishWebSignIn(features, { state: query.state, code, clientIp, requestId });
      // The token travels in the fragment, which browsers never send to a server or put in a Referer.
      const fragment = new URLSearchParams({ token: session.token, expiresAt: session.expiresAt }).toString();
      return { location: `${deps.publicUrl}${session.returnTo}#${fragment}` };
    },
  }),
  route({
    method: 'post', path: '/api/auth/candidate/code', summary: '候选人在微信小程序内登录 Candidate sign-in with a wx.login code', tag: 'auth', access: 'public',
    body: CandidateCodeSignIn, response: SessionIssued,
    handler: ({ features, body, clientIp, requestId }) => identity.signInCandidateWithCode(features, { ...body, clientIp, requestId }),
  }),
  route({
    method: 'post', path: '/api/auth/invitation', summary: '候选人用邀请链接登录 Candidate sign-in with an invitation token', tag: 'auth', access: 'public',
    body: InvitationSignIn, response: SessionIssued,
    handler: ({ features, body, clientIp, requestId }) => identity.signInWithInvitation(features, { token: body.token, clientIp, requestId }),
  }),
  route({
    method: 'post', path: '/api/auth/sign-out', summary: '退出登录 Sign out', tag: 'auth', access: 'any',
    response: SignedOut,
    handler: async ({ features, token }) => {
      await signOut(features, token);
      return { signedOut: true as const };
    },
  }),
  route({
    method: 'post', path: '/api/applications/:applicationId/invitations', summary: '生成候选人邀请链接 Issue an invitation link', tag: 'applications', access: 'session',
    params: z.object({ applicationId: Id }), body: IssueInvitation, response: InvitationIssued, status: 201,
    handler: async ({ features, principal, params, body }) => {
      const issued = await identity.issueInvitation(features, principal, { applicationId: params.applicationId, interviewId: body.interviewId, validDays: body.validDays });
      return { ...issued, url: invitationUrl(deps.publicUrl, issued.token) };
    },
  }),
];
