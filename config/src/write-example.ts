import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settings, type SettingDefinition } from './settings';

/** Renders config/hirebridge.example.env from the schema, so the example cannot drift from the settings. */
export function renderExample(): string {
  const lines = [
    '# HireBridge configuration — every setting, with what it expects and its default.',
    '# Read once at start from the environment. Non-secret settings may also come from a JSON file named by',
    '# HB_CONFIG_FILE (keys are these names, values strings); the environment wins. Secrets only from the environment.',
    '# Regenerate with: npm run config:example',
    '',
  ];
  for (const [name, raw] of Object.entries(settings)) {
    const definition = raw as SettingDefinition<unknown>;
    lines.push(`# ${definition.description}`);
    lines.push(`# Expected: ${definition.expected}.${definition.secret ? ' SECRET: environment only.' : ''}`);
    lines.push(definition.default === undefined ? `# ${name}=` : `${name}=${definition.default}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(new URL('../hirebridge.example.env', import.meta.url), renderExample());
}
