export const knownSecrets: readonly string[];
