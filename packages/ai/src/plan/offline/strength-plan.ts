import type { TPlanTask } from '../plan.schema.js';
import {
  byLevel,
  type DraftDay,
  type DraftPlan,
  type DraftWeek,
  fitMinutes,
  type Level,
  makeTask,
  type PlanContext,
} from './draft-plan.js';

interface Exercise {
  name: string;
  /** Main lifts use the level's rep range, accessories 10–15. */
  main: boolean;
}

type Workout = { name: string; exercises: readonly Exercise[] };

const lift = (name: string): Exercise => ({ name, main: true });
const accessory = (name: string): Exercise => ({ name, main: false });

const WORKOUTS = {
  fullA: {
    name: 'Full body A',
    exercises: [
      lift('Goblet squat'),
      lift('Push-ups'),
      lift('Dumbbell row'),
      accessory('Dead bug'),
    ],
  },
  fullB: {
    name: 'Full body B',
    exercises: [
      lift('Romanian deadlift'),
      lift('Overhead press'),
      lift('Lat pulldown'),
      accessory('Split squat'),
      accessory('Glute bridge'),
    ],
  },
  upperA: {
    name: 'Upper body A',
    exercises: [
      lift('Bench press'),
      lift('Barbell row'),
      lift('Overhead press'),
      accessory('Assisted pull-ups'),
      accessory('Biceps curl'),
    ],
  },
  lowerA: {
    name: 'Lower body A',
    exercises: [
      lift('Back squat'),
      lift('Romanian deadlift'),
      accessory('Walking lunge'),
      accessory('Calf raise'),
      accessory('Hanging knee raise'),
    ],
  },
  upperB: {
    name: 'Upper body B',
    exercises: [
      lift('Overhead press'),
      lift('Pull-ups'),
      accessory('Incline dumbbell press'),
      accessory('Cable row'),
      accessory('Triceps dips'),
    ],
  },
  lowerB: {
    name: 'Lower body B',
    exercises: [
      lift('Deadlift'),
      lift('Front squat'),
      accessory('Bulgarian split squat'),
      accessory('Hip thrust'),
      accessory('Pallof press'),
    ],
  },
  push: {
    name: 'Push',
    exercises: [
      lift('Bench press'),
      lift('Overhead press'),
      accessory('Incline dumbbell press'),
      accessory('Dips'),
      accessory('Lateral raise'),
    ],
  },
  pull: {
    name: 'Pull',
    exercises: [
      lift('Deadlift'),
      lift('Pull-ups'),
      lift('Barbell row'),
      accessory('Face pull'),
      accessory('Hammer curl'),
    ],
  },
  legs: {
    name: 'Legs',
    exercises: [
      lift('Back squat'),
      lift('Romanian deadlift'),
      accessory('Leg press'),
      accessory('Walking lunge'),
      accessory('Calf raise'),
    ],
  },
} satisfies Record<string, Workout>;

/** Lifting days and the workout of each, in order; cardio goes on `cardioDay`. */
const SPLITS: Record<Level, { days: readonly [number, Workout][]; cardioDay: number }> = {
  beginner: {
    days: [
      [1, WORKOUTS.fullA],
      [3, WORKOUTS.fullB],
      [5, WORKOUTS.fullA],
    ],
    cardioDay: 6,
  },
  intermediate: {
    days: [
      [1, WORKOUTS.upperA],
      [2, WORKOUTS.lowerA],
      [4, WORKOUTS.upperB],
      [5, WORKOUTS.lowerB],
    ],
    cardioDay: 6,
  },
  advanced: {
    days: [
      [1, WORKOUTS.push],
      [2, WORKOUTS.pull],
      [3, WORKOUTS.legs],
      [5, WORKOUTS.upperA],
      [6, WORKOUTS.lowerB],
    ],
    cardioDay: 4,
  },
};

/** The exercise a named focus ("pull-ups") becomes, by level. */
function focusExercise(focus: string, level: Level): Exercise | null {
  const key = focus.toLowerCase().replace(/[\s-]/g, '');
  const byFocus: [RegExp, [string, string, string]][] = [
    [/^(pullups?|chinups?)$/, ['Negative pull-ups', 'Pull-ups', 'Weighted pull-ups']],
    [/^pushups?$/, ['Incline push-ups', 'Push-ups', 'Deficit push-ups']],
    [/^squats?$/, ['Goblet squat', 'Back squat', 'Back squat']],
    [/^deadlifts?$/, ['Romanian deadlift', 'Deadlift', 'Deadlift']],
    [/^bench(press)?$/, ['Dumbbell bench press', 'Bench press', 'Bench press']],
    [/^overheadpress$/, ['Dumbbell overhead press', 'Overhead press', 'Overhead press']],
    [/^dips$/, ['Bench dips', 'Dips', 'Weighted dips']],
    [
      /^handstand$/,
      ['Wall handstand hold', 'Handstand practice', 'Freestanding handstand practice'],
    ],
  ];
  const match = byFocus.find(([pattern]) => pattern.test(key));
  return match ? lift(byLevel(level, match[1])) : null;
}

/**
 * A strength plan: full-body workouts 3 days a week for beginners, an upper/lower split on 4
 * days for intermediates, push/pull/legs plus upper/lower on 5 days for advanced, and one
 * cardio session. Double progression in 4-week blocks: reps climb over three weeks, the
 * fourth is a deload; a named focus ("pull-ups") opens every workout and is tested on the last
 * lifting day.
 */
export function buildStrengthPlan(context: PlanContext, focus: string | null): DraftPlan {
  const { weeks, level, capMinutes } = context;
  const split = SPLITS[level];
  const focused = focus ? focusExercise(focus, level) : null;
  const [low, high] = byLevel(level, [
    [8, 12],
    [6, 10],
    [4, 8],
  ] as const);
  const baseSets = byLevel(level, [2, 3, 4]);

  const draftWeeks: DraftWeek[] = [];
  for (let week = 1; week <= weeks; week++) {
    const block = (week - 1) % 4;
    const deload = block === 3 && week < weeks;
    const step = deload ? 0 : Math.min(block, 2) / 2;
    const sets = Math.max(1, baseSets - (deload ? 1 : 0));
    const reps = Math.round(low + (high - low) * step);
    const advice = deload
      ? 'Deload: about 60% of your working weights, smooth reps.'
      : week === 1
        ? 'Pick weights you could lift 2–3 more times; learn the movements before loading them.'
        : step === 0
          ? 'New block: add a little weight and start again at the bottom of the rep range.'
          : 'Same weights as last time, one or two more reps per set; stop 1–2 reps before failure.';
    const days: DraftDay[] = split.days.map(([day, workout], index) => {
      const session = index + 1;
      const testDay = week === weeks && weeks >= 3 && index === split.days.length - 1;
      const tasks: TPlanTask[] = [];
      if (focused) {
        tasks.push(
          testDay
            ? makeTask(
                `Test day: max ${focused.name.toLowerCase()}`,
                'milestone',
                fitMinutes(20, capMinutes),
                'After a good warm-up: as many clean reps as you can in one set, rest 3 min, once more; compare with week 1.',
              )
            : makeTask(
                `${focused.name}, session ${session}: ${sets + 1} × ${Math.max(3, reps - 3)}`,
                'strength',
                fitMinutes((sets + 1) * 3, capMinutes),
                `Your focus exercise, first while you are fresh; full rest between sets. ${advice}`,
                { sets: sets + 1, reps: Math.max(3, reps - 3) },
              ),
        );
      }
      const left = capMinutes - tasks.reduce((sum, t) => sum + t.effortMinutes, 0);
      if (left >= 5) {
        const exercises = workout.exercises.filter((e) => e.name !== focused?.name);
        // About 4 minutes a set with rest, plus a 10-minute warm-up; fewer exercises when short.
        const fitting = Math.max(1, Math.floor((left - 10) / (sets * 4)));
        const chosen = exercises.slice(0, fitting);
        const list = chosen
          .map((e) => (e.main ? e.name : `${e.name} (${sets} × ${Math.min(15, reps + 4)})`))
          .join(', ');
        tasks.push(
          makeTask(
            `Workout ${session}: ${workout.name}${testDay && !focused ? ' and test' : ''}`,
            'strength',
            fitMinutes(Math.min(left, 10 + chosen.length * sets * 4), left),
            `Warm up 10 min, then ${list}. ${advice}` +
              (testDay && !focused
                ? ` Finish by working up to a heavy set of 5 on ${chosen[0]!.name.toLowerCase()} and compare with week 1.`
                : ''),
            { sets, reps },
          ),
        );
      }
      return { day, tasks };
    });
    days.push({
      day: split.cardioDay,
      tasks: [
        makeTask(
          'Cardio: easy steady session',
          'cardio',
          fitMinutes(byLevel(level, [25, 35, 40]), capMinutes),
          'Brisk walk, bike or jog at a pace where you can still talk; it helps recovery.',
        ),
      ],
    });
    const theme = deload
      ? 'Deload week: lighter weights, recover'
      : week === weeks && weeks >= 3
        ? 'Test week: measure your progress'
        : `Block ${Math.floor((week - 1) / 4) + 1}, week ${block + 1}: ${step === 0 ? 'set the weights' : 'add reps'}`;
    draftWeeks.push({ theme, days });
  }

  const splitName = byLevel(level, [
    'full-body workouts 3 days a week',
    'an upper/lower split 4 days a week',
    'push/pull/legs plus upper/lower 5 days a week',
  ]);
  return {
    title: `${focus && focused ? `${focus.charAt(0).toUpperCase()}${focus.slice(1)} and strength` : 'Strength'} in ${weeks} week(s) (${level})`,
    summary:
      `Lifting with ${splitName} plus one easy cardio session, in 4-week blocks: reps climb from ${low} to ${high} ` +
      'over three weeks, then a lighter deload week; when you reach the top of the range, add weight.' +
      (focused ? ` ${focused.name} opens every workout and is tested at the end.` : '') +
      ' Use weights you can lift with good form; see a professional if anything hurts.',
    weeks: draftWeeks,
  };
}
