/**
 * Platform secrets are never stored in the database: a reference says where to read each one. `env:NAME` reads the
 * environment; `demo:VALUE` is the literal well-known credential of the local simulator and is refused for any
 * tenant that is not a demo tenant.
 */
export class SecretUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretUnavailableError';
  }
}

export function resolveSecretRef(ref: string, options: { env: Readonly<Record<string, string | undefined>>; demoAllowed: boolean }): string {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const value = options.env[name];
    if (!value) throw new SecretUnavailableError(`secret ${name} is not set in the environment`);
    return value;
  }
  if (ref.startsWith('demo:')) {
    if (!options.demoAllowed) throw new SecretUnavailableError('demo credentials are only accepted for demo tenants');
    return ref.slice(5);
  }
  throw new SecretUnavailableError('unknown secret reference');
}
