import { staleDeployFiles, writeDeployFiles } from './deploy-files';

/**
 * `npm run registry`: writes the reference deployment's files (docker-compose.yml, deploy/postgres-init.sql)
 * from the agency registry. `-- --check` only reports the files that are out of date, and fails if any is.
 */
if (process.argv.includes('--check')) {
  const stale = staleDeployFiles();
  if (stale.length > 0) {
    process.stderr.write(`Out of date with registry/index.ts: ${stale.join(', ')}. Run \`npm run registry\`.\n`);
    process.exit(1);
  }
  process.stdout.write('The deploy files agree with the registry.\n');
} else {
  const written = writeDeployFiles();
  process.stdout.write(written.length > 0 ? `Wrote ${written.join(', ')}\n` : 'The deploy files agree with the registry; nothing written.\n');
}
