// The order files start in: vitest's own (files that failed last time first, then files it has no
// record of, then the slowest of the last run), with the run's one `next build` started at once.
// Browser files wait for the build, so the first that builds goes first (its worker builds); then
// the unit files and the other database files, which need no build (the other worker's, meanwhile);
// then the other browser files. A database worker's process serves its files one after another only
// while the next file is a database file too, so the unit files do not come between them.
import fs from "node:fs";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const inBrowserFolder = (file: TestSpecification) => file.moduleId.includes("/tests/browser/");
/** A browser file that builds the app (rather than running `next dev`, which builds nothing). */
const builds = (file: TestSpecification) => inBrowserFolder(file) && /productionBuild\(|setUpBrowserApp\(\)/.test(fs.readFileSync(file.moduleId, "utf8"));

export default class BuildFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const first = sorted.find(builds);
    const rest = sorted.filter((file) => file !== first);
    const isUnit = (file: TestSpecification) => file.project.name === "unit";
    return [
      ...(first ? [first] : []),
      ...rest.filter(isUnit),
      ...rest.filter((file) => !isUnit(file) && !inBrowserFolder(file)),
      ...rest.filter(inBrowserFolder),
    ];
  }
}
