import { isDomainError } from '@stepwise/core';
import { describe, expect, it } from 'vitest';
import { checkPlan } from './check-plan.js';
import { detectGoalFamily } from './offline/detect-goal-family.js';
import { parseRevisionInstructions } from './offline/revision-instructions.js';
import { buildOfflinePlan } from './offline-planner.js';
import { placeTasks } from './place-tasks.js';
import { type TPlan, type TPlanTask, type TPlanWeek, ZPlan } from './plan.schema.js';
import { daysBetween, weekdayName } from './plan-dates.js';
import {
  resolvePlanRequest,
  type TPlanRequest,
  type TPlanRequestResolved,
  ZPlanRequest,
} from './plan-request.schema.js';

/** A Monday, so day 6 of every week is a Saturday and day 7 a Sunday. */
const today = '2025-01-06';
const resolve = (input: TPlanRequest) => resolvePlanRequest(ZPlanRequest.parse(input), today);
const plan = (input: TPlanRequest) => buildOfflinePlan(resolve(input));

const tasksOf = (week: TPlanWeek | undefined) => week?.days.flatMap((d) => d.tasks) ?? [];
const allTasks = (p: TPlan) => p.weeks.flatMap(tasksOf);
const minutes = (tasks: readonly TPlanTask[]) => tasks.reduce((sum, t) => sum + t.effortMinutes, 0);
const km = (tasks: readonly TPlanTask[]) =>
  tasks.reduce((sum, t) => sum + (t.metrics?.distanceKm ?? 0), 0);
const titled = (p: TPlan, pattern: RegExp) => allTasks(p).filter((t) => pattern.test(t.title));
const testsIn = (week: TPlanWeek | undefined) =>
  tasksOf(week).filter((t) =>
    /^(Practice test \d+|Diagnostic test|Extra timed practice test)/.test(t.title),
  ).length;

/** Every property a stored plan relies on, whatever the family. */
function expectWellFormed(p: TPlan, request: TPlanRequestResolved) {
  expect(ZPlan.parse(p)).toEqual(p);
  expect(checkPlan(p, request)).toEqual({ plan: p, fixes: [] });
  expect(p.weeks.map((w) => w.week)).toEqual(
    Array.from({ length: request.durationWeeks }, (_, i) => i + 1),
  );
  const cap = Math.floor(request.dailyHours * 60);
  for (const week of p.weeks) {
    expect(week.days.length).toBeGreaterThan(0);
    const titles = tasksOf(week).map((t) => t.title.toLowerCase());
    expect(new Set(titles).size).toBe(titles.length);
    for (const day of week.days) {
      expect(daysBetween(request.startDate, day.date)).toBeGreaterThanOrEqual(0);
      expect(daysBetween(day.date, request.endDate)).toBeGreaterThanOrEqual(0);
      expect(minutes(day.tasks)).toBeLessThanOrEqual(cap);
    }
  }
  expect(p.summary).toMatch(/without an AI model/);
}

describe('buildOfflinePlan', () => {
  it.each<TPlanRequest>([
    { goal: 'Learn to juggle', durationWeeks: 1, dailyHours: 0.25 },
    { goal: 'Become fluent in Spanish', durationWeeks: 52, dailyHours: 12, level: 'advanced' },
    { goal: 'Run a half marathon', durationWeeks: 10, dailyHours: 1, level: 'intermediate' },
    { goal: 'Run a marathon', durationWeeks: 20, dailyHours: 3, level: 'advanced' },
    { goal: 'Couch to 5k', durationWeeks: 9, dailyHours: 0.5 },
    { goal: 'Finish an Ironman', durationWeeks: 30, dailyHours: 4, level: 'advanced' },
    { goal: 'Sprint triathlon', durationWeeks: 2, dailyHours: 0.25 },
    { goal: 'Ride a century', durationWeeks: 12, dailyHours: 2.5, level: 'intermediate' },
    { goal: 'Swim 2 km in open water', durationWeeks: 6, dailyHours: 0.75 },
    {
      goal: 'Learn Python for data science',
      durationWeeks: 3,
      dailyHours: 2.5,
      startDate: '2024-02-27',
    },
    { goal: 'Crack coding interviews', durationWeeks: 1, dailyHours: 0.3, level: 'advanced' },
    { goal: 'Pass the GRE', durationWeeks: 8, dailyHours: 2, level: 'intermediate' },
    { goal: 'Prepare for the bar exam', durationWeeks: 12, dailyHours: 0.5, level: 'advanced' },
    { goal: 'Get stronger: 10 pull-ups', durationWeeks: 9, dailyHours: 0.25 },
    { goal: 'Build muscle at the gym', durationWeeks: 16, dailyHours: 1.5, level: 'advanced' },
    { goal: 'Lose 10 kg', durationWeeks: 12, dailyHours: 0.5, level: 'intermediate' },
    { goal: 'Learn to play the violin', durationWeeks: 7, dailyHours: 0.4 },
    { goal: 'Write a 80k word novel', durationWeeks: 26, dailyHours: 2, level: 'advanced' },
    { goal: 'Finish my thesis', durationWeeks: 2, dailyHours: 6 },
    { goal: 'Start a newsletter', durationWeeks: 5, dailyHours: 1, level: 'intermediate' },
    { goal: `Master ${'very '.repeat(90)}long goals`, durationWeeks: 7, dailyHours: 0.3 },
  ])(
    'passes checkPlan unchanged, dated inside the timeline and within the daily hours: %j',
    (input) => {
      const request = resolve(input);
      expectWellFormed(buildOfflinePlan(request), request);
    },
  );

  it('is deterministic', () => {
    const request = resolve({ goal: 'Run a 10k', durationWeeks: 5 });
    expect(buildOfflinePlan(request)).toEqual(buildOfflinePlan(request));
  });

  describe('running', () => {
    const request = resolve({
      goal: 'Run a half marathon in 10 weeks',
      durationWeeks: 10,
      dailyHours: 2,
      level: 'intermediate',
    });
    const halfMarathon = buildOfflinePlan(request);
    const longRuns = halfMarathon.weeks.map((w) =>
      Math.max(
        0,
        ...tasksOf(w)
          .filter((t) => /^Long run/.test(t.title))
          .map((t) => t.metrics!.distanceKm!),
      ),
    );

    it('builds the long run up to at least 16 km before tapering', () => {
      expect(longRuns[0]).toBeLessThan(12);
      expect(Math.max(...longRuns.slice(6, 8))).toBeGreaterThanOrEqual(16);
      expect(longRuns.slice(0, 3)).toEqual([...longRuns.slice(0, 3)].sort((a, b) => a - b));
      expect(longRuns[3]).toBeLessThan(longRuns[2]!); // cutback week
    });

    it('mixes easy runs, intervals, tempo runs and strength work', () => {
      expect(titled(halfMarathon, /^Easy run/).length).toBeGreaterThan(5);
      expect(titled(halfMarathon, /^Intervals: \d+ × /).length).toBeGreaterThan(2);
      expect(titled(halfMarathon, /^Tempo run/).length).toBeGreaterThan(2);
      expect(titled(halfMarathon, /^Strength/).length).toBeGreaterThan(5);
      const easy = titled(halfMarathon, /^Easy run: /)[0]!;
      expect(easy.metrics).toMatchObject({ distanceKm: expect.any(Number), paceMinPerKm: 6.5 });
      expect(easy.description).toMatch(/^\d+(\.\d+)? km at 6:30\/km\. /);
    });

    it('tapers: the last weeks hold less running than the peak week', () => {
      const volume = halfMarathon.weeks.map((w) =>
        km(tasksOf(w).filter((t) => t.category !== 'race')),
      );
      const peak = Math.max(...volume);
      expect(volume[8]).toBeLessThan(peak);
      expect(volume[9]).toBeLessThan(volume[8]!);
    });

    it('ends with race day on the last day, after two rest days', () => {
      const last = halfMarathon.weeks.at(-1)!;
      const raceDay = last.days.at(-1)!;
      expect(raceDay).toMatchObject({ day: 7, date: request.endDate });
      expect(raceDay.tasks).toEqual([
        expect.objectContaining({
          title: 'Race day: half marathon (21.1 km)',
          category: 'race',
          metrics: expect.objectContaining({ distanceKm: 21.1 }),
        }),
      ]);
      expect(last.days.map((d) => d.day)).not.toContain(6);
      expect(last.days.map((d) => d.day)).not.toContain(5);
    });

    it('changes volume and days with the level', () => {
      const at = (level: 'beginner' | 'advanced') =>
        plan({ goal: 'Run a half marathon', durationWeeks: 10, dailyHours: 2, level });
      const beginner = at('beginner');
      const advanced = at('advanced');
      expect(km(allTasks(advanced))).toBeGreaterThan(km(allTasks(beginner)) * 1.5);
      expect(beginner.weeks[0]!.days).toHaveLength(4);
      expect(advanced.weeks[0]!.days).toHaveLength(6);
      const firstEasy = (p: TPlan) => titled(p, /^Easy run/)[0]!.metrics!.paceMinPerKm!;
      expect(firstEasy(advanced)).toBeLessThan(firstEasy(beginner));
    });

    it('keeps every run within a short daily time and says what that costs', () => {
      const short = plan({
        goal: 'Run a half marathon',
        durationWeeks: 10,
        dailyHours: 1,
        level: 'intermediate',
      });
      const longest = Math.max(...titled(short, /^Long run/).map((t) => t.metrics!.distanceKm!));
      expect(longest).toBeLessThanOrEqual(60 / 6.75);
      expect(short.summary).toMatch(/daily time limits the long run to about 8\.5 km/);
      const race = titled(short, /^Race day/)[0]!;
      expect(race).toMatchObject({ effortMinutes: 60, metrics: { distanceKm: 21.1 } });
      expect(race.description).toMatch(/takes longer than your daily time/);
    });

    it('starts beginners on a 5k with run/walk and ends with the race', () => {
      const fiveK = plan({ goal: 'Run my first 5k', durationWeeks: 8, dailyHours: 1 });
      expect(tasksOf(fiveK.weeks[0]).some((t) => /run\/walk/i.test(t.description))).toBe(true);
      expect(titled(fiveK, /^Race day/)[0]?.metrics?.distanceKm).toBe(5);
    });
  });

  it('plans a triathlon with swims, rides, runs and brick sessions', () => {
    const tri = plan({
      goal: 'Finish an olympic triathlon',
      durationWeeks: 12,
      dailyHours: 2,
      level: 'intermediate',
    });
    const week5 = tasksOf(tri.weeks[4]).map((t) => t.category);
    expect(week5).toEqual(expect.arrayContaining(['swim', 'ride', 'run']));
    expect(titled(tri, /^Brick run/).length).toBeGreaterThan(0);
    expect(titled(tri, /^Race day/)[0]!.title).toBe(
      'Race day: Olympic triathlon (1.5 km swim, 40 km bike, 10 km run)',
    );
  });

  it('plans rides with speeds and a growing long ride', () => {
    const ride = plan({
      goal: 'Cycle 100 km',
      durationWeeks: 8,
      dailyHours: 4,
      level: 'intermediate',
    });
    const longRides = titled(ride, /^Long ride/).map((t) => t.metrics!.distanceKm!);
    expect(longRides[0]).toBeLessThan(longRides.at(-1)!);
    expect(titled(ride, /^Long ride/)[0]!.metrics?.speedKmh).toBeGreaterThan(20);
    expect(titled(ride, /^Race day/)[0]?.metrics?.distanceKm).toBe(100);
  });

  describe('exams', () => {
    const gre = plan({
      goal: 'Pass the GRE',
      durationWeeks: 8,
      dailyHours: 2,
      level: 'intermediate',
    });

    it('starts with a diagnostic and holds more practice tests late than early', () => {
      expect(gre.weeks[0]!.days[0]!.tasks[0]!.title).toBe('Diagnostic test: full-length GRE');
      const early = gre.weeks.slice(0, 4).reduce((n, w) => n + testsIn(w), 0);
      const late = gre.weeks.slice(4).reduce((n, w) => n + testsIn(w), 0);
      expect(late).toBeGreaterThan(early);
      expect(testsIn(gre.weeks[6])).toBe(2);
    });

    it('reviews mistakes after every test and studies each section', () => {
      const tests = gre.weeks.reduce((n, w) => n + testsIn(w), 0);
      expect(titled(gre, /^Review mistakes from/)).toHaveLength(tests);
      expect(titled(gre, /^Verbal Reasoning: /).length).toBeGreaterThan(3);
      expect(titled(gre, /^Quantitative Reasoning: /).length).toBeGreaterThan(3);
      expect(titled(gre, /^Timed set/)[0]!.metrics?.questions).toBeGreaterThan(5);
    });

    it('rests the day before the exam, on the last day', () => {
      const last = gre.weeks.at(-1)!;
      expect(last.days.at(-1)).toMatchObject({
        day: 7,
        tasks: [expect.objectContaining({ title: 'Exam day: GRE', category: 'exam' })],
      });
      expect(last.days.map((d) => d.day)).not.toContain(6);
    });

    it('starts practice tests sooner for advanced learners', () => {
      const at = (level: 'beginner' | 'advanced') =>
        plan({ goal: 'Pass the GMAT', durationWeeks: 10, dailyHours: 3, level }).weeks.reduce(
          (n, w) => n + testsIn(w),
          0,
        );
      expect(at('advanced')).toBeGreaterThan(at('beginner'));
    });
  });

  it('plans a language with vocabulary, grammar, listening, speaking and a final conversation', () => {
    const spanish = plan({ goal: 'Learn conversational Spanish', durationWeeks: 4, dailyHours: 1 });
    expect(spanish.title).toBe('Spanish in 4 week(s) (beginner)');
    const titles = allTasks(spanish).map((t) => t.title);
    for (const pattern of [
      /^Grammar: /,
      /^Listening: /,
      /^Speaking: /,
      /^Reading: /,
      /new words/,
      /^Weekly review/,
    ]) {
      expect(titles.some((t) => pattern.test(t))).toBe(true);
    }
    expect(titles.filter((t) => /tutor or exchange partner/.test(t))).toHaveLength(2);
    expect(spanish.weeks.at(-1)!.days.at(-1)!.tasks[0]!.title).toBe(
      'Milestone: a recorded 10-minute conversation',
    );
    const advanced = plan({ goal: 'Improve my French', durationWeeks: 4, level: 'advanced' });
    expect(tasksOf(advanced.weeks[0])[0]!.title).toBe('Grammar: nuances of tense, aspect and mood');
  });

  it('plans programming as topic weeks and then a capstone project', () => {
    const python = plan({
      goal: 'Learn Python for data science',
      durationWeeks: 8,
      dailyHours: 1.5,
    });
    expect(titled(python, /^Learn: pandas/).length).toBeGreaterThan(0);
    expect(
      tasksOf(python.weeks.at(-1)).every(
        (t) => t.category === 'project' || t.category === 'review',
      ),
    ).toBe(true);
    expect(titled(python, /^Project day \d+: /).at(-1)!.title).toMatch(/demo it/);
    const advanced = plan({
      goal: 'Learn Python for data science',
      durationWeeks: 8,
      dailyHours: 1.5,
      level: 'advanced',
    });
    expect(titled(advanced, /setup/i)).toHaveLength(0);
    expect(titled(advanced, /^Project day/).length).toBeGreaterThan(
      titled(python, /^Project day/).length,
    );
  });

  describe('strength', () => {
    const pullUps = plan({
      goal: 'Get strong enough for 10 pull-ups',
      durationWeeks: 5,
      dailyHours: 1,
    });

    it('opens every workout with the focus, adds reps, deloads and tests at the end', () => {
      const focus = titled(pullUps, /^Negative pull-ups, session/);
      expect(focus).toHaveLength(14);
      const reps = [1, 2, 3, 4].map(
        (w) => tasksOf(pullUps.weeks[w - 1]).find((t) => /^Workout 1/.test(t.title))!.metrics!,
      );
      expect(reps[1]!.reps).toBeGreaterThan(reps[0]!.reps!);
      expect(reps[2]!.reps).toBeGreaterThan(reps[1]!.reps!);
      expect(reps[3]!.sets).toBeLessThan(reps[2]!.sets!);
      expect(pullUps.weeks[3]!.theme).toMatch(/^Deload/);
      expect(titled(pullUps, /^Test day: max negative pull-ups/)).toHaveLength(1);
    });

    it('trains more days with more sets at higher levels', () => {
      const advanced = plan({
        goal: 'Get stronger',
        durationWeeks: 4,
        dailyHours: 1.5,
        level: 'advanced',
      });
      const lifting = (p: TPlan) => tasksOf(p.weeks[0]).filter((t) => /^Workout/.test(t.title));
      expect(
        lifting(plan({ goal: 'Get stronger', durationWeeks: 4, dailyHours: 1.5 })),
      ).toHaveLength(3);
      expect(lifting(advanced)).toHaveLength(5);
      expect(lifting(advanced)[0]!.metrics!.sets).toBe(4);
    });
  });

  it('plans weight loss with weigh-ins, cardio, strength and habits, honest about the pace', () => {
    const loss = plan({ goal: 'Lose 8 kg', durationWeeks: 4, dailyHours: 1 });
    expect(titled(loss, /weigh-in/i)).toHaveLength(5);
    expect(titled(loss, /^Strength session/)).toHaveLength(8);
    expect(titled(loss, /walk/i).length).toBeGreaterThan(8);
    expect(titled(loss, /^Habit of the week/)).toHaveLength(4);
    expect(loss.summary).toMatch(
      /about 2 kg a week, faster than the 0\.5–1 kg a week generally advised/,
    );
  });

  it('plans music practice with a rising metronome, pieces and a performance', () => {
    const guitar = plan({ goal: 'Learn guitar', durationWeeks: 6, dailyHours: 1 });
    const bpm = guitar.weeks.map((w) => tasksOf(w).find((t) => t.metrics?.bpm)!.metrics!.bpm!);
    expect(bpm[0]).toBe(60);
    expect(bpm).toEqual([...bpm].sort((a, b) => a - b));
    expect(bpm.at(-1)).toBeGreaterThan(bpm[0]!);
    expect(titled(guitar, /^Piece 1, session \d+: /).length).toBeGreaterThan(10);
    expect(titled(guitar, /open chords/).length).toBeGreaterThan(0);
    expect(guitar.weeks.at(-1)!.days.at(-1)!.tasks[0]!.title).toMatch(/^Performance/);
  });

  it('plans a novel from outline through daily word targets to revision', () => {
    const novel = plan({
      goal: 'Write a 50,000 word novel',
      durationWeeks: 12,
      dailyHours: 2,
      level: 'intermediate',
    });
    expect(
      tasksOf(novel.weeks[0]).every((t) => t.category === 'planning' || t.category === 'writing'),
    ).toBe(true);
    const words = allTasks(novel).reduce((sum, t) => sum + (t.metrics?.words ?? 0), 0);
    expect(words).toBeGreaterThanOrEqual(50_000);
    expect(words).toBeLessThan(55_000);
    expect(tasksOf(novel.weeks.at(-1)).some((t) => t.category === 'revision')).toBe(true);
    const short = plan({ goal: 'Write a 50,000 word novel', durationWeeks: 6, dailyHours: 0.5 });
    expect(short.summary).toMatch(/less than the 50,000 aimed for/);
  });

  it('plans an unrecognised goal as deliberate practice without pasting the goal into tasks', () => {
    const juggling = plan({ goal: 'Learn to juggle five balls', durationWeeks: 6, dailyHours: 1 });
    expect(juggling.summary).toMatch(/did not recognise a specific kind of goal/);
    expect(allTasks(juggling).filter((t) => t.title.includes('juggle'))).toHaveLength(0);
    expect(juggling.weeks[0]!.theme).toBe('Set up: juggle five balls');
    expect(juggling.weeks.at(-1)!.theme).toMatch(/^Consolidate/);
    expect(juggling.weeks.at(-1)!.days.at(-1)!.tasks[0]!.title).toBe(
      'Milestone: repeat the baseline and compare',
    );
    const days = (level: 'beginner' | 'intermediate' | 'advanced') =>
      plan({ goal: 'Learn origami', level }).weeks[1]?.days.length;
    expect([days('beginner'), days('intermediate'), days('advanced')]).toEqual([4, 5, 6]);
  });
});

describe('detectGoalFamily', () => {
  it.each([
    ['Run a half marathon in 10 weeks', 'endurance'],
    ['Get to 10k steps a day', 'generic'],
    ['Train for a 70.3', 'endurance'],
    ['Pass the SAT', 'exam'],
    ['Learn to act on stage', 'generic'],
    ['IELTS band 7', 'exam'],
    ['Pass my AWS certification', 'exam'],
    ['Lose 15 lbs before summer', 'weight-loss'],
    ['Do my first push-ups', 'strength'],
    ['Learn SQL', 'programming'],
    ['Build a website with React', 'programming'],
    ['Learn Japanese', 'language'],
    ['Learn the cello', 'music'],
    ['Write a novel', 'writing'],
    ['Read 20 books this year', 'generic'],
    ['Learn to play chess', 'generic'],
  ])('%s → %s', (goal, kind) => {
    expect(detectGoalFamily(goal).kind).toBe(kind);
  });
});

describe('parseRevisionInstructions', () => {
  it.each([
    ['Make it easier please', [{ kind: 'volume', direction: 'easier' }]],
    ['This is too easy', [{ kind: 'volume', direction: 'harder' }]],
    ['Only 3 days a week', [{ kind: 'training-days', days: 3 }]],
    ['I can only do two days per week', [{ kind: 'training-days', days: 2 }]],
    ['fewer days per week', [{ kind: 'fewer-days' }]],
    ['No training on weekends', [{ kind: 'rest-weekdays', weekdays: [0, 6] }]],
    ['Move my rest day to Sunday', [{ kind: 'rest-weekdays', weekdays: [0] }]],
    ['Shorter sessions', [{ kind: 'shorter-sessions', maxMinutes: null }]],
    ['Max 45 minutes per day', [{ kind: 'shorter-sessions', maxMinutes: 45 }]],
    ['add more practice tests', [{ kind: 'practice-tests' }]],
    ['Extend it by 2 weeks', [{ kind: 'extend', weeks: 2 }]],
    ['I’m behind, push it back', [{ kind: 'extend', weeks: 1 }]],
    ['Make it more fun', []],
  ])('%s', (text, changes) => {
    expect(parseRevisionInstructions(text)).toEqual(changes);
  });
});

describe('buildOfflinePlan for a revision', () => {
  const base = resolve({
    goal: 'Run a half marathon',
    durationWeeks: 10,
    dailyHours: 2,
    level: 'intermediate',
  });
  const current = buildOfflinePlan(base);

  /** The request `startPlanRevision` sends, through `resolvePlanRequest` as the server does. */
  function revise(
    instructions: string,
    from: TPlan = current,
    completed: number[] = [],
    request = base,
  ) {
    const revised = resolvePlanRequest(
      { ...request, revision: { instructions, current: from, completed } },
      today,
    );
    return { request: revised, plan: buildOfflinePlan(revised) };
  }

  it('makes the plan lighter: less time and distance, labelled as an offline revision', () => {
    const { plan: easier, request } = revise('This is too much, make it easier');
    expectWellFormed(easier, request);
    expect(minutes(allTasks(easier))).toBeLessThan(minutes(allTasks(current)) * 0.85);
    expect(km(allTasks(easier))).toBeLessThan(km(allTasks(current)));
    expect(easier.summary).toMatch(/^Revised without an AI model \(offline planner\): lighter/);
    const longRun = tasksOf(easier.weeks[5]).find((t) => /^Long run/.test(t.title))!;
    expect(longRun.title).toBe(`Long run: ${longRun.metrics!.distanceKm} km`);
    expect(longRun.description.startsWith(`${longRun.metrics!.distanceKm} km at 6:45/km.`)).toBe(
      true,
    );
    expect(titled(easier, /^Race day/)).toEqual(titled(current, /^Race day/));
  });

  it('makes the plan harder within the daily limit', () => {
    const { plan: harder, request } = revise('Make it harder');
    expectWellFormed(harder, request);
    expect(minutes(allTasks(harder))).toBeGreaterThan(minutes(allTasks(current)));
  });

  it('trains at most 3 days a week when asked, keeping the long runs', () => {
    const { plan: three, request } = revise('I can only train 3 days a week');
    expectWellFormed(three, request);
    for (const week of three.weeks) expect(week.days.length).toBeLessThanOrEqual(3);
    expect(titled(three, /^Long run/)).toHaveLength(titled(current, /^Long run/).length);
    expect(titled(three, /^Race day/)).toHaveLength(1);
  });

  it('frees the weekend by moving sessions to weekdays', () => {
    const { plan: weekdays, request } = revise('No training on weekends');
    expectWellFormed(weekdays, request);
    for (const day of weekdays.weeks.flatMap((w) => w.days)) {
      if (day.tasks.some((t) => t.category === 'race')) continue;
      expect(['Saturday', 'Sunday']).not.toContain(weekdayName(day.date));
    }
    expect(titled(weekdays, /^Long run/)).toHaveLength(titled(current, /^Long run/).length);
    expect(weekdays.summary).toMatch(/race and exam days keep their dates/);
  });

  it('moves the rest day to Sunday', () => {
    const sixDays = resolve({
      goal: 'Learn SQL',
      durationWeeks: 3,
      level: 'advanced',
      startDate: '2025-01-08',
    });
    const { plan: revised } = revise(
      'Move the rest day to Sunday',
      buildOfflinePlan(sixDays),
      [],
      sixDays,
    );
    const weekdaysUsed = revised.weeks.flatMap((w) => w.days.map((d) => weekdayName(d.date)));
    expect(weekdaysUsed).not.toContain('Sunday');
    expect(allTasks(revised)).toHaveLength(allTasks(buildOfflinePlan(sixDays)).length);
  });

  it('keeps tasks already done exactly where they were', () => {
    const placed = placeTasks(current);
    const done = placed.filter((t) => t.week <= 2).map((t) => t.position);
    const { plan: revised } = revise('only 2 days a week and make it easier', current, done);
    const after = placeTasks(revised);
    for (const position of done) {
      const task = placed[position]!;
      expect(after).toContainEqual(
        expect.objectContaining({
          week: task.week,
          day: task.day,
          title: task.title,
          effortMinutes: task.effortMinutes,
        }),
      );
    }
    expect(revised.weeks[2]!.days.length).toBeLessThanOrEqual(2);
  });

  it('extends the plan: the current week repeats, the race moves to the new last day', () => {
    const done = placeTasks(current)
      .filter((t) => t.week <= 3)
      .map((t) => t.position);
    const { plan: longer, request } = revise(
      'I fell behind, please extend by 2 weeks',
      current,
      done,
    );
    expect(request.durationWeeks).toBe(12);
    expectWellFormed(longer, request);
    expect(longer.title).toBe('Half marathon in 12 week(s) (intermediate)');
    expect(longer.weeks[4]!.theme).toMatch(/\(repeated\)$/);
    expect(tasksOf(longer.weeks[4]).map((t) => t.title)).toEqual(
      tasksOf(current.weeks[3]).map((t) => t.title),
    );
    expect(longer.weeks.slice(0, 3)).toEqual(current.weeks.slice(0, 3));
    expect(longer.weeks.at(-1)!.days.at(-1)).toMatchObject({
      date: request.endDate,
      tasks: [expect.objectContaining({ category: 'race' })],
    });
  });

  it('adds practice tests to an exam plan', () => {
    const request = resolve({ goal: 'Pass the GRE', durationWeeks: 6, dailyHours: 2 });
    const gre = buildOfflinePlan(request);
    const { plan: more, request: revised } = revise('Add more practice tests', gre, [], request);
    expectWellFormed(more, revised);
    const extra = more.weeks.map(
      (w) => tasksOf(w).filter((t) => t.title === 'Extra timed practice test').length,
    );
    expect(extra).toEqual([0, 1, 1, 1, 1, 1]);
    expect(more.weeks.reduce((n, w) => n + testsIn(w), 0)).toBe(
      gre.weeks.reduce((n, w) => n + testsIn(w), 0) + 5,
    );
  });

  it('shortens every day to the minutes asked for', () => {
    const { plan: short, request } = revise('I only have 45 minutes a day now');
    expectWellFormed(short, request);
    for (const day of short.weeks.flatMap((w) => w.days)) {
      if (day.tasks.some((t) => t.category === 'race')) continue;
      expect(minutes(day.tasks)).toBeLessThanOrEqual(45);
    }
  });

  it('refuses an instruction it does not understand instead of storing the plan unchanged', () => {
    const error = (() => {
      try {
        revise('Make it more fun and add yoga');
      } catch (e) {
        return e;
      }
    })();
    expect(isDomainError(error) && error.code).toBe('BAD_REQUEST');
    expect((error as Error).message).toMatch(/did not understand .*It understands: easier/);
  });

  it('refuses an understood instruction that would change nothing', () => {
    const beginner = resolve({ goal: 'Learn SQL', durationWeeks: 2 });
    expect(() => revise('only 5 days a week', buildOfflinePlan(beginner), [], beginner)).toThrow(
      /would not change the plan: no week has more than 5 training days/,
    );
  });
});
