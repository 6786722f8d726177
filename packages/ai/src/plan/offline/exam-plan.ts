import type { TPlanTask } from '../plan.schema.js';
import type { ExamProfile } from './detect-goal-family.js';
import {
  byLevel,
  cycle,
  type DraftDay,
  type DraftPlan,
  type DraftWeek,
  finalDay,
  fitMinutes,
  type Level,
  makeTask,
  type PlanContext,
  shareMinutes,
  spreadDays,
} from './draft-plan.js';
import { formatDuration } from './format-metrics.js';

const ANGLES = ['core concepts and strategy', 'timed drills', 'hardest question types'] as const;

/**
 * How many full practice tests week `week` of `weeks` holds: one every other week early on,
 * weekly from about 40% of the plan, twice a week in the last quarter, one early in the final
 * week. Advanced learners start sooner.
 */
function practiceTestsIn(week: number, weeks: number, level: Level, days: number): number {
  if (week === weeks) return weeks >= 2 ? 1 : 0;
  const progress = week / weeks + byLevel(level, [0, 0.05, 0.1]);
  if (progress >= 0.75 && days >= 5) return 2;
  if (progress >= 0.4) return 1;
  return week % 2 === 0 ? 1 : 0;
}

/**
 * An exam plan: a full diagnostic test on day 1, study blocks that rotate through the exam's
 * sections (concepts and strategy, then timed drills, then the hardest question types), timed
 * question sets, full practice tests that get more frequent towards the end, a mistake review
 * after every test, a light final week with a rest day, and the exam on the plan's last day.
 */
export function buildExamPlan(context: PlanContext, exam: ExamProfile): DraftPlan {
  const { weeks, level, capMinutes } = context;
  const days = spreadDays(byLevel(level, [5, 5, 6]));
  const testMinutes = fitMinutes(exam.testMinutes, capMinutes);
  const partial = testMinutes < exam.testMinutes;
  const testNote = partial
    ? ` The full test takes about ${formatDuration(exam.testMinutes)}; with ${formatDuration(capMinutes)} today, do as many timed sections as fit and the rest on your next study day.`
    : '';
  const parts = shareMinutes(
    capMinutes,
    capMinutes < 40 ? [1] : capMinutes < 100 ? [3, 2] : [3, 2, 1],
  );
  const minutesPerQuestion = byLevel(level, [2.5, 2, 1.75]);

  let testNumber = 0;
  let sectionIndex = 0;
  const draftWeeks: DraftWeek[] = [];
  for (let week = 1; week <= weeks; week++) {
    const finalWeek = week === weeks;
    const tests = week === 1 ? 1 : practiceTestsIn(week, weeks, level, days.length);
    // Tests go on the first working day (and the day before the last one when there are two).
    const testDays = new Set(
      tests === 0 ? [] : tests === 1 ? [days[0]!] : [days[0]!, days[days.length - 2]!],
    );
    const setsThisWeek = new Map<string, number>();
    const studied = new Map<string, number>();
    let reviewPending = false;
    const draftDays: DraftDay[] = [];
    for (const day of days) {
      if (finalWeek && day >= 6) continue;
      const tasks: TPlanTask[] = [];
      if (testDays.has(day)) {
        const diagnostic = testNumber === 0;
        testNumber++;
        tasks.push(
          makeTask(
            diagnostic
              ? `Diagnostic test: full-length ${exam.name}`
              : `Practice test ${testNumber - 1}: full-length ${exam.name}`,
            'test',
            testMinutes,
            (diagnostic
              ? 'Take an official or high-quality practice test under real timing, before studying, to find your starting point and weakest section.'
              : 'Real timing, no pauses, no notes; log your score per section.') + testNote,
          ),
        );
        reviewPending = true;
        draftDays.push({ day, tasks });
        continue;
      }
      if (finalWeek && day === Math.max(...days.filter((d) => d < 6))) {
        draftDays.push({
          day,
          tasks: [
            makeTask(
              'Light review: strategies, formulas and your error log',
              'review',
              fitMinutes(Math.min(45, capMinutes), capMinutes),
              'Nothing new now. Check the exam logistics (ID, route, time) and pack the night before.',
            ),
          ],
        });
        continue;
      }
      const section = cycle(exam.sections, sectionIndex);
      sectionIndex++;
      // The angle moves on over the plan's thirds, and again when a section comes back in a week.
      const seenThisWeek = studied.get(section.name) ?? 0;
      studied.set(section.name, seenThisWeek + 1);
      const third = Math.min(2, Math.floor(((week - 1) * 3) / weeks));
      const angle = ANGLES[(third + seenThisWeek) % ANGLES.length]!;
      if (reviewPending) {
        reviewPending = false;
        tasks.push(
          makeTask(
            `Review mistakes from the ${testNumber === 1 ? 'diagnostic' : `practice test ${testNumber - 1}`}`,
            'review',
            parts[0]!,
            'For every miss: why it was wrong, the rule or trick, and a similar question to redo. Add them to your error log.',
          ),
        );
      } else {
        tasks.push(
          makeTask(
            `${section.name}: ${angle}`,
            angle === 'core concepts and strategy' && level === 'beginner' ? 'learning' : 'study',
            parts[0]!,
            `Focus on ${section.skill}. ${byLevel(level, ['Learn the concepts before speed.', 'Target the question types you miss most.', 'Work on speed and the hardest items.'])}`,
          ),
        );
      }
      if (parts[1]) {
        const set = (setsThisWeek.get(section.name) ?? 0) + 1;
        setsThisWeek.set(section.name, set);
        const questions = Math.max(5, Math.round(parts[1] / minutesPerQuestion));
        tasks.push(
          makeTask(
            `Timed set ${set}: ${section.name}`,
            'practice',
            parts[1],
            'Under exam timing; mark every guess and check explanations afterwards.',
            { questions },
          ),
        );
      }
      if (parts[2]) {
        tasks.push(
          makeTask(
            `Error log after set ${setsThisWeek.get(section.name) ?? 1}: ${section.name}`,
            'review',
            parts[2],
            'Redo every miss and guess, and turn each into a flashcard: it is what turns mistakes into points.',
          ),
        );
      }
      draftDays.push({ day, tasks });
    }
    if (finalWeek) {
      draftDays.push(
        finalDay(
          `Exam day: ${exam.name}`,
          'exam',
          testMinutes,
          'Sleep well, eat, arrive early with your ID. Pace yourself by section and skip what blocks you.',
        ),
      );
    }
    const theme = finalWeek
      ? `Exam week: light review, rest, ${exam.name} on day 7`
      : tests >= 2
        ? 'Test phase: two full practice tests and targeted review'
        : week === 1
          ? 'Diagnostic and foundations'
          : `Sections in rotation, ${tests} practice test(s)`;
    draftWeeks.push({ theme, days: draftDays });
  }

  return {
    title: `${exam.name.charAt(0).toUpperCase()}${exam.name.slice(1)} preparation in ${weeks} week(s) (${level})`,
    summary:
      `${days.length} study days a week, rotating through ${exam.sections.map((s) => s.name).join(', ')}: study blocks plus timed question sets. ` +
      `A diagnostic test on day 1 and ${Math.max(0, testNumber - 1)} full practice test(s), more frequent towards the end, each followed by a mistake review; ` +
      'the final week is light, the day before the exam is free, and the exam is on the last day of the plan.' +
      (partial
        ? ` Your daily time is shorter than a full test (${formatDuration(exam.testMinutes)}), so tests are split into timed sections.`
        : ''),
    weeks: draftWeeks,
  };
}
