// Starts unleash-server on 127.0.0.1 with a fresh database's admin and client
// tokens. Copied next to node_modules by install-deps.sh (ES modules resolve
// packages from the script's own folder). Configuration comes from the
// environment that sandbox.sh sets.
import { start } from 'unleash-server';

const env = process.env;
await start({
  db: {
    host: '127.0.0.1', port: Number(env.RAIZE_PG_PORT), user: 'postgres', password: '',
    database: 'unleash', ssl: false,
  },
  server: { host: '127.0.0.1', port: Number(env.RAIZE_UNLEASH_PORT) },
  versionCheck: { enable: false },
  logLevel: 'warn',
  authentication: {
    type: 'open-source',
    initApiTokens: [
      { tokenName: 'sandbox-admin', secret: env.RAIZE_UNLEASH_ADMIN_TOKEN, type: 'admin', projects: ['*'], environment: '*' },
      { tokenName: 'sandbox-client', secret: env.RAIZE_UNLEASH_CLIENT_TOKEN, type: 'backend', projects: ['default'], environment: 'production' },
    ],
  },
});
