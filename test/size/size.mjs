// Size check: min+gzip of every browser build, against the budgets. Prints a
// table and exits non-zero when a build is over. Run: `node test/size/size.mjs`.
// The builds, budgets and marks: test/size/builds.mjs.
import { BUILDS, ENFORCED, measure } from './builds.mjs';

let over = 0;
let grown = 0;
console.log('build'.padEnd(36) + 'min'.padStart(8) + 'min+gz'.padStart(9) + 'budget'.padStart(9) + 'mark'.padStart(7));
for (const build of BUILDS) {
  const { min, gz } = await measure(build);
  const ok = !build.budget || gz <= build.budget;
  if (!ok && build.enforced) process.exitCode = 1;
  if (!ok) over++;
  const grew = build.mark !== undefined && gz > build.mark;
  if (grew) grown++;
  console.log(
    build.name.padEnd(36) +
      String(min).padStart(8) +
      String(gz).padStart(9) +
      String(build.budget ?? '-').padStart(9) +
      String(build.mark ?? '-').padStart(7) +
      (ok ? '' : '  OVER') +
      (grew ? `  GREW by ${gz - build.mark}` : ''),
  );
}
if (grown > 0) {
  console.error(`${grown} build(s) grew past their no-growth mark: take the bytes out elsewhere`);
  process.exitCode = 1;
}
if (over > 0) {
  console.error(`${over} build(s) over budget${ENFORCED ? '' : ' (not enforced yet where not marked enforced)'}`);
  if (ENFORCED) process.exitCode = 1;
}
