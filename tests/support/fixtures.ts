import { createHash, randomBytes } from 'node:crypto';
import type { PublishCompetencyModel } from '../../server/contracts';
import type { Role } from '../../server/contracts/directory';
import type { Db } from '../../server/src/adapters/postgres/database';
import type { Principal } from '../../server/src/domain/principal';

export interface TenantFixture {
  readonly tenantId: string;
  readonly departmentId: string;
  readonly otherDepartmentId: string;
  readonly employees: Record<'admin' | 'hr' | 'manager' | 'interviewer', { id: string; principal: Principal }>;
}

let counter = 0;

/** A tenant with two departments and one employee per role, written straight to the tables. */
export async function createTenant(
  db: Db,
  options: { name?: string; isDemo?: boolean; platform?: 'wecom' | 'dingtalk'; corpId?: string } = {},
): Promise<TenantFixture> {
  const n = ++counter;
  const suffix = `${process.pid}-${n}-${randomBytes(3).toString('hex')}`;
  const tenant = await db
    .insertInto('tenants')
    .values({ name: options.name ?? `测试公司 ${n}`, platform: options.platform ?? 'wecom', corp_id: options.corpId ?? `ww-${suffix}`, is_demo: options.isDemo ?? false })
    .returning('id')
    .executeTakeFirstOrThrow();
  const [dept, other] = await db
    .insertInto('departments')
    .values([
      { tenant_id: tenant.id, name: '技术部', platform_department_id: '2' },
      { tenant_id: tenant.id, name: '销售部', platform_department_id: '3' },
    ])
    .returning('id')
    .execute();
  const employee = async (key: string, name: string, roles: Role[]) => {
    const row = await db
      .insertInto('employees')
      .values({ tenant_id: tenant.id, department_id: dept!.id, name, platform_user_id: `${key}-${suffix}`, roles })
      .returning('id')
      .executeTakeFirstOrThrow();
    const principal: Principal = { kind: 'employee', tenantId: tenant.id, employeeId: row.id, roles };
    return { id: row.id, principal };
  };
  return {
    tenantId: tenant.id,
    departmentId: dept!.id,
    otherDepartmentId: other!.id,
    employees: {
      admin: await employee('admin', '管理员', ['admin']),
      hr: await employee('hr', '招聘专员', ['hr']),
      manager: await employee('manager', '用人经理', ['hiring_manager', 'interviewer']),
      interviewer: await employee('interviewer', '面试官', ['interviewer']),
    },
  };
}

/** A session token for an employee, stored the way the server stores them (hashed), valid for `expiresInMs` of real time. */
export async function signIn(db: Db, fixture: TenantFixture, employeeId: string, expiresInMs = 3_600_000): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('sessions')
    .values({
      token_hash: createHash('sha256').update(token).digest(),
      tenant_id: fixture.tenantId,
      employee_id: employeeId,
      expires_at: new Date(Date.now() + expiresInMs),
      // Tests run on fixed clocks far from the real time; a fixture session never idles out (the idle timeouts are
      // tested with real sign-ins in identity.test.ts).
      last_seen_at: new Date(Date.now() + expiresInMs),
    })
    .execute();
  return token;
}

const levels = [
  { level: 1, label: '不符合', description: '达不到要求' },
  { level: 2, label: '部分符合', description: '部分达到要求' },
  { level: 3, label: '符合', description: '达到要求' },
  { level: 4, label: '超出预期', description: '明显超出要求' },
];

export function competencyModelInput(weights: number[] = [60, 40], note = ''): PublishCompetencyModel {
  return {
    note,
    competencies: weights.map((weight, i) => ({
      name: `胜任力${i + 1}`,
      description: '',
      weight,
      rubric: levels,
      questions: [{ text: `问题${i + 1}：讲一个例子。`, followUps: ['结果如何？'] }],
    })),
  };
}
