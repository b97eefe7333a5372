import { Text } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { mayReadReports, type Me } from '../api/hr';
import { employeeToken, request } from '../api/interviewer';
import { go } from './ui';

/** Roles of the signed-in employee, asked once per session token. */
let known: { token: string; roles: Promise<readonly string[]> } | null = null;

function rolesOf(token: string): Promise<readonly string[]> {
  if (known?.token !== token) known = { token, roles: request<Me>('GET', '/api/me').then((me) => me.employee.roles, () => []) };
  return known.roles;
}

/** 招聘报表 in a navigation bar, only for those who may read the reports (HR, hiring managers, admins). */
export function HrReportsLink() {
  const [show, setShow] = useState(false);
  useEffect(() => {
    const token = employeeToken();
    if (!token) return undefined;
    let live = true;
    void rolesOf(token).then((roles) => live && setShow(mayReadReports(roles)));
    return () => {
      live = false;
    };
  }, []);
  return show ? <Text className='nav-link' id='nav-hr-reports' onClick={() => go('/pages/hr/reports/index')}>招聘报表</Text> : null;
}
