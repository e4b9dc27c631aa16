#!/usr/bin/env node
// The `keyturn` command. A plain .js shim so that an old Node prints a clear message instead of a
// syntax error: npm scripts and npx put node_modules/.bin first on PATH, where the node@24
// devDependency lives.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `keyturn needs Node.js 24 or newer, but this is ${process.version}.\n` +
      'Run it as `npx keyturn ...` from the project folder (npm install provides Node 24), or install Node 24.\n',
  );
  process.exit(3);
}
const { runCli, processIo } = await import('./main.ts');
process.exitCode = await runCli(process.argv.slice(2), processIo());
