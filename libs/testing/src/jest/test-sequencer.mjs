/**
 * jest's default order (failed first, then slowest, then largest), with the files that run alone
 * (`@runsAlone` in their docblock, see test-environment.ts) first. Started together, they follow one
 * another while the other worker waits only for them; started later, one would wait for whatever long
 * file the other worker had begun, and keep the rest from starting meanwhile. Plain JavaScript: jest
 * loads its sequencer without transforming it.
 */
import { readFileSync } from 'node:fs';

import Sequencer from '@jest/test-sequencer';
import { extract, parse } from 'jest-docblock';

function runsAlone(test) {
  return parse(extract(readFileSync(test.path, 'utf8')))['runsAlone'] !== undefined;
}

export default class RunsAloneFirstSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const alone = new Set(sorted.filter(runsAlone));
    return [...alone, ...sorted.filter((test) => !alone.has(test))];
  }
}
