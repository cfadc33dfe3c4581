import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { generateClients } from './generate';

/**
 * `npm run codegen`: types every client's operations and writes the trusted-documents manifests.
 * `--check` writes nothing and fails, naming each file, when what is committed is not what would be written.
 */
void (async () => {
  const root = resolve(__dirname, '..', '..');
  const check = process.argv.includes('--check');
  try {
    const files = await generateClients();
    const stale = files.filter((f) => !existsSync(join(root, f.path)) || readFileSync(join(root, f.path), 'utf8') !== f.content);
    if (check) {
      if (stale.length > 0) {
        process.stderr.write(`Out of date with the operations and schema/api.graphql (run npm run codegen):\n${stale.map((f) => `  ${f.path}\n`).join('')}`);
        process.exit(1);
      }
      process.stdout.write(`${files.length} generated files are up to date\n`);
      return;
    }
    for (const file of files) {
      mkdirSync(dirname(join(root, file.path)), { recursive: true });
      writeFileSync(join(root, file.path), file.content);
      process.stdout.write(`wrote ${file.path}\n`);
    }
  } catch (error) {
    process.stderr.write(`codegen failed: ${(error as Error).message}\n`);
    process.exit(1);
  }
})();
