import autocannon from 'autocannon';

/**
 * `npx tsx bench/deployment/load.ts '<json>'`: autocannon in a process of its own (so that the load it makes is
 * not counted in any service's CPU), with the options given as JSON; prints its result as JSON on stdout.
 */
const options = JSON.parse(process.argv[2]!) as autocannon.Options;
autocannon(options)
  .then((result) => process.stdout.write(JSON.stringify(result)))
  .catch((error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  });
