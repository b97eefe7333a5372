import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDependencies, importsOf } from './check-dependencies';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = mkdtempSync(join(tmpdir(), 'hb-deps-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(scratch, 't-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('dependency rules', () => {
  it('finds static, type-only, re-exported and dynamic imports', () => {
    expect(
      importsOf(`import a from 'koa';\nimport type { B } from "../x";\nexport * from './y';\nconst c = await import('pg');\nimport './side-effect';`),
    ).toEqual(['koa', '../x', './y', 'pg', './side-effect']);
  });

  it('flags a feature importing Koa, pg, a vendor SDK or an adapter, and a contract importing the server', () => {
    const root = tree({
      'server/src/features/jobs/bad.ts': [
        "import Koa from 'koa';",
        "import type { Pool } from 'pg';",
        "import { decrypt } from '@wecom/crypto';",
        "import { postgresJobStore } from '../../adapters/postgres/job-store';",
        "import { createApp } from '../../http/create-app';",
        "import { z } from 'zod';",
        "import { randomUUID } from 'node:crypto';",
        "import type { Clock } from '../../ports/clock';",
      ].join('\n'),
      'server/src/domain/bad.ts': "import { createJob } from '../features/jobs';",
      'server/contracts/bad.ts': "import { AppError } from '../src/domain/errors';",
      'bot/src/bad.ts': "import { Kysely } from 'kysely';\nimport { Job } from '@hirebridge/server/contracts';",
      'server/src/adapters/postgres/fine.ts': "import pg from 'pg';",
    });
    const found = checkDependencies(root).map((v) => `${v.file} ${v.specifier}`);
    expect(found.sort()).toEqual(
      [
        'server/src/features/jobs/bad.ts koa',
        'server/src/features/jobs/bad.ts pg',
        'server/src/features/jobs/bad.ts @wecom/crypto',
        'server/src/features/jobs/bad.ts ../../adapters/postgres/job-store',
        'server/src/features/jobs/bad.ts ../../http/create-app',
        'server/src/domain/bad.ts ../features/jobs',
        'server/contracts/bad.ts ../src/domain/errors',
        'bot/src/bad.ts kysely',
      ].sort(),
    );
  });

  it('holds for this repository', () => {
    expect(checkDependencies(repoRoot)).toEqual([]);
  });
});
