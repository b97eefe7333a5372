// Loads what the main command loads (configuration and the server with all its modules) and exits: cold-start.ts
// times this as the part of every start that is only node, tsx and module loading.
import '@hirebridge/config';
import '../../server/src/server';
