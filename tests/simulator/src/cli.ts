import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator';
import type { CorpConfig, DepartmentInput, UserInput } from './wecom/corp';

/**
 * node --import tsx tests/simulator/src/cli.ts --port 3900 [--host 127.0.0.1] [--seed seed.json]
 * seed.json: { "wecom": { "corps": [CorpConfig & { departments?, users? }], "robots": [{ key, chatName }] } }
 */
interface Seed {
  wecom?: {
    corps?: (CorpConfig & { departments?: DepartmentInput[]; users?: UserInput[] })[];
    robots?: { key: string; chatName: string }[];
  };
}

const { values } = parseArgs({
  options: { port: { type: 'string', default: '3900' }, host: { type: 'string', default: '127.0.0.1' }, seed: { type: 'string' } },
});

const sim = await startSimulator({ port: Number(values.port), host: values.host });
if (values.seed) {
  const seed = JSON.parse(readFileSync(values.seed, 'utf8')) as Seed;
  for (const { departments = [], users = [], ...corp } of seed.wecom?.corps ?? []) {
    sim.wecom.addCorp(corp);
    for (const d of departments) sim.wecom.addDepartment(corp.corpId, d);
    for (const u of users) sim.wecom.addUser(corp.corpId, u);
  }
  for (const robot of seed.wecom?.robots ?? []) sim.wecom.addRobot(robot);
}
console.log(`HireBridge platform simulator listening on ${sim.url}`);

const shutdown = () => {
  sim.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
