import type { EmployeeSignIn } from './employee-session-types';

export type { DemoEmployee, EmployeeSignIn } from './employee-session-types';

/**
 * Signs an employee (an interviewer) in; the platform builds replace this file (employee-session.weapp.ts,
 * employee-session.h5.ts). The session is stored apart from the candidate's (see api/interviewer.ts).
 */
export async function startEmployeeSignIn(): Promise<EmployeeSignIn> {
  return { kind: 'unavailable', message: '此平台暂不支持员工登录。Employee sign-in is not available on this platform.' };
}

/** Demo mode only (H5): sign in as one of the demo employees the server lists. */
export async function demoSignIn(_employeeId: string): Promise<void> {
  throw new Error('此平台没有演示登录。Demo sign-in is not available on this platform.');
}
