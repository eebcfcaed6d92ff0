// The order files start in: vitest's own (the slowest of the last run first, else the largest), with
// the run's one `next build` started at once. The browser files wait for it, so the first of them
// goes first (its worker builds), the files that need no build next (the other worker's while it
// builds), and the other browser files after them.
import { BaseSequencer, type TestSpecification } from "vitest/node";

const waitsForTheBuild = (file: TestSpecification) => file.moduleId.includes("/tests/browser/");

export default class BuildFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const browser = sorted.filter(waitsForTheBuild);
    return [...browser.slice(0, 1), ...sorted.filter((file) => !waitsForTheBuild(file)), ...browser.slice(1)];
  }
}
