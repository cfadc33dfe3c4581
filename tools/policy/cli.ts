import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { explain } from './explain';
import { lintPolicies } from './lint';
import { policyMatrix, toCsv, toHtml } from './matrix';

const usage = `Usage:
  npm run policy -- lint
  npm run policy -- explain --persona <persona> --purpose <purpose> --child <nhs number> [--break-glass "<justification>"] Child.<field>[.<field>…]
  npm run policy -- matrix [--out <folder>]   (writes policy-matrix.csv and policy-matrix.html; default ./policy-matrix)`;

/** The security officer's tools: check the policy files, explain one decision, and print the whole matrix. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'lint') {
    const findings = lintPolicies();
    for (const f of findings) process.stdout.write(`${f.where}: ${f.problem}\n`);
    process.stdout.write(
      findings.length === 0 ? 'Policies are clean: every field is covered, every policy is defined and used.\n' : `${findings.length} finding(s).\n`,
    );
    return findings.length === 0 ? 0 : 1;
  }
  if (command === 'explain') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { persona: { type: 'string' }, purpose: { type: 'string' }, child: { type: 'string' }, 'break-glass': { type: 'string' } },
    });
    if (!values.persona || !values.purpose || !values.child || positionals.length !== 1) throw new Error(usage);
    const result = await explain({
      persona: values.persona,
      purpose: values.purpose,
      child: values.child,
      path: positionals[0]!,
      breakGlass: values['break-glass'],
    });
    process.stdout.write(
      `${result.path} for ${values.persona} (${values.purpose}${values['break-glass'] ? ', break-glass' : ''}), child ${values.child}: ${result.allowed ? 'ALLOWED' : 'DENIED'}\n`,
    );
    for (const step of result.steps) process.stdout.write(`  ${step.field} [${step.policies}]: ${step.decision}\n`);
    return 0;
  }
  if (command === 'matrix') {
    const { values } = parseArgs({ args: rest, options: { out: { type: 'string', default: 'policy-matrix' } } });
    const dir = resolve(values.out);
    mkdirSync(dir, { recursive: true });
    const rows = policyMatrix();
    writeFileSync(join(dir, 'policy-matrix.csv'), toCsv(rows));
    writeFileSync(join(dir, 'policy-matrix.html'), toHtml(rows));
    process.stdout.write(`Wrote ${rows.length} decisions to ${join(dir, 'policy-matrix.csv')} and ${join(dir, 'policy-matrix.html')}\n`);
    return 0;
  }
  throw new Error(usage);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  },
);
