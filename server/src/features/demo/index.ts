import { CreateCandidate } from '../../../contracts';
import type { Principal } from '../../domain/principal';
import { createApplication, moveApplication } from '../applications';
import { createCandidate } from '../candidates';
import type { FeatureContext, Stores } from '../context';
import { changeJobStatus, createJob, publishCompetencyModel } from '../jobs';
import { demoCandidates, demoDepartments, demoEmployees, demoJobs, demoRooms, demoStagePath, demoTenant } from './demo-company';
import type { DemoStore } from './demo-store';

export type { DemoStore } from './demo-store';

export interface DemoSeedResult {
  readonly seeded: boolean;
  readonly tenantId?: string;
  readonly hrEmployeeId?: string;
}

/**
 * Loads the demo company into an empty database, all in one transaction, through the same use cases HR uses.
 * A database that holds any tenant is left untouched.
 */
export async function seedDemoCompany(
  ctx: FeatureContext,
  transactWithDemo: <T>(work: (stores: Stores, demo: DemoStore) => Promise<T>) => Promise<T>,
): Promise<DemoSeedResult> {
  return transactWithDemo(async (stores, demo) => {
    if (!(await demo.lockAndCheckEmpty())) return { seeded: false };
    const tenantId = await demo.insertTenant(demoTenant);
    const departments = new Map<string, string>();
    for (const d of demoDepartments) departments.set(d.key, await demo.insertDepartment(tenantId, d));
    const employees = new Map<string, string>();
    for (const e of demoEmployees) {
      employees.set(
        e.key,
        await demo.insertEmployee(tenantId, {
          name: e.name,
          title: e.title,
          departmentId: departments.get(e.department)!,
          managerId: e.manager ? employees.get(e.manager)! : null,
          platformUserId: e.key,
          roles: e.roles,
        }),
      );
    }
    for (const room of demoRooms) await demo.insertRoom(tenantId, room);

    const hrEmployeeId = employees.get('zhoumin')!;
    const hr: Principal = { kind: 'employee', tenantId, employeeId: hrEmployeeId, roles: ['admin', 'hr'] };
    const inner: FeatureContext = { stores, transact: (work) => work(stores), clock: ctx.clock };

    const jobs = new Map<string, string>();
    for (const j of demoJobs) {
      const job = await createJob(inner, hr, {
        departmentId: departments.get(j.department)!,
        title: j.title,
        description: j.description,
        location: j.location,
        headcount: j.headcount,
        hiringManagerId: employees.get(j.hiringManager)!,
        ownerHrId: employees.get(j.ownerHr)!,
        rounds: j.rounds,
      });
      await publishCompetencyModel(inner, hr, job.id, j.model);
      await changeJobStatus(inner, hr, job.id, 'open');
      jobs.set(j.key, job.id);
    }

    for (const c of demoCandidates) {
      const { job, stage, ...fields } = c;
      const candidate = await createCandidate(inner, hr, CreateCandidate.parse(fields));
      const application = await createApplication(inner, hr, { candidateId: candidate.id, jobId: jobs.get(job)! });
      for (const to of demoStagePath[stage]) {
        await moveApplication(inner, hr, application.id, { to, reason: to === 'rejected' ? '技术深度不足（演示数据）' : undefined });
      }
    }
    return { seeded: true, tenantId, hrEmployeeId };
  });
}
