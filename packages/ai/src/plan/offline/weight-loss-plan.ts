import type { TPlanTask } from '../plan.schema.js';
import {
  byLevel,
  cycle,
  type DraftDay,
  type DraftPlan,
  type DraftWeek,
  finalDay,
  fitMinutes,
  makeTask,
  type PlanContext,
  spreadDays,
} from './draft-plan.js';
import { formatKm } from './format-metrics.js';

const HABITS: readonly [string, string][] = [
  [
    'Track what you eat for the whole day',
    'No judging, just data: it shows where the easy wins are.',
  ],
  ['Protein and vegetables at every meal', 'They keep you full for longer on fewer calories.'],
  ['Swap sugary drinks for water', 'Liquid calories add up without filling you.'],
  ['Prepare lunches for the next three days', 'A ready meal beats a hungry decision.'],
  ['Eat slowly and stop at 80% full', 'Put the fork down between bites; fullness arrives late.'],
  [
    'Plan how you will handle eating out',
    'Pick the dish in advance; share or box half of large portions.',
  ],
  ['Set a bedtime for 7–8 hours of sleep', 'Short sleep raises appetite the next day.'],
  ['Review your week of eating and pick one change', 'Keep what worked; change one thing only.'],
];

const WALKS: readonly [string, string][] = [
  [
    'Brisk walk',
    'Fast enough that talking takes some effort; split it into two walks if that is easier.',
  ],
  ['Hill walk', 'Pick a route with slopes or stairs; steady effort uphill.'],
  ['Long easy walk', 'Relaxed pace, somewhere pleasant; take someone along.'],
  ['Walk with fast stretches', 'Alternate 3 min brisk and 1 min as fast as you can walk.'],
];

const CIRCUITS: readonly [string, string][] = [
  ['circuit A', 'Squats, push-ups (incline if needed), rows, glute bridges, plank'],
  ['circuit B', 'Lunges, overhead press, deadlifts with dumbbells, step-ups, dead bug'],
];

/**
 * A weight-loss plan that combines what works: a weekly weigh-in, progressive cardio (walks for
 * beginners, intervals and longer sessions further up), two or three full-body strength
 * circuits a week, and one eating habit to practise each week. It aims for about 0.5–1 kg a
 * week and says so when the goal asks for more.
 */
export function buildWeightLossPlan(context: PlanContext, targetKg: number | null): DraftPlan {
  const { weeks, level, capMinutes } = context;
  const days = spreadDays(byLevel(level, [5, 6, 6]));
  const strengthDays = new Set<number>(
    byLevel(level, [
      [2, 5],
      [2, 4, 6],
      [2, 4, 6],
    ]),
  );
  const walkPace = byLevel(level, [11, 10, 9]);

  const draftWeeks: DraftWeek[] = [];
  for (let week = 1; week <= weeks; week++) {
    const progress = weeks === 1 ? 1 : (week - 1) / (weeks - 1);
    const cardioMinutes = Math.round(
      byLevel(level, [25, 30, 35]) + progress * byLevel(level, [20, 20, 25]),
    );
    const [habit, why] = cycle(HABITS, week - 1);
    let cardioIndex = 0;
    const draftDays: DraftDay[] = days.map((day) => {
      const tasks: TPlanTask[] = [];
      if (day === days[0]) {
        tasks.push(
          makeTask(
            week === 1 ? 'Starting weigh-in and waist measurement' : 'Weekly weigh-in',
            'tracking',
            5,
            'Same day, same time, before breakfast; the trend over weeks matters, not one number.',
          ),
        );
      }
      let left = capMinutes - tasks.reduce((sum, t) => sum + t.effortMinutes, 0);
      if (strengthDays.has(day)) {
        const session = [...strengthDays].indexOf(day);
        const [name, moves] = cycle(CIRCUITS, session);
        const rounds = byLevel(level, [2, 3, 4]) + (progress >= 0.5 ? 1 : 0);
        tasks.push(
          makeTask(
            `Strength session ${session + 1} (${name}): ${rounds} rounds`,
            'strength',
            fitMinutes(Math.min(left, 10 + rounds * 8), left),
            `${moves}; 12 reps each, 1 min rest between rounds. Muscle keeps your metabolism up while you lose fat.`,
            { sets: rounds, reps: 12 },
          ),
        );
      } else {
        const minutes = fitMinutes(Math.min(left, cardioMinutes), left);
        const session = cardioIndex++;
        const hard = level !== 'beginner' && session % 2 === 1;
        if (hard) {
          tasks.push(
            makeTask(
              `Interval cardio: ${Math.max(4, Math.round(minutes / 4))} × 1 min hard`,
              'cardio',
              minutes,
              'Jog, bike or row: 1 min hard, 2–3 min easy, with 5 min warm-up and cool-down.',
            ),
          );
        } else {
          const km = Math.max(1, Math.round((minutes / walkPace) * 2) / 2);
          const [kind, advice] = cycle(WALKS, session);
          tasks.push(
            makeTask(`${kind}: ${formatKm(km)} km`, 'cardio', minutes, advice, {
              distanceKm: km,
              paceMinPerKm: walkPace,
            }),
          );
        }
      }
      left = capMinutes - tasks.reduce((sum, t) => sum + t.effortMinutes, 0);
      if (day === days[0] && left >= 10) {
        tasks.push(
          makeTask(
            'Plan this week’s meals and shopping list',
            'nutrition',
            fitMinutes(Math.min(20, left), left),
            'Plan simple meals around protein and vegetables, and shop for them once.',
          ),
        );
      } else if (day === days[1] && left >= 5) {
        tasks.push(
          makeTask(
            `Habit of the week: ${habit}`,
            'nutrition',
            fitMinutes(Math.min(15, left), left),
            why,
          ),
        );
      }
      return { day, tasks };
    });
    if (week === weeks) {
      draftDays.push(
        finalDay(
          'Final weigh-in and review',
          'milestone',
          fitMinutes(15, capMinutes),
          'Compare weight, waist and how you feel with week 1; decide which habits you keep.',
        ),
      );
    }
    draftWeeks.push({ theme: `Week ${week}: ${habit.toLowerCase()}`, days: draftDays });
  }

  const notes: string[] = [];
  if (targetKg !== null) {
    const perWeek = targetKg / weeks;
    notes.push(
      perWeek > 1
        ? `Losing ${formatKm(targetKg)} kg in ${weeks} week(s) is about ${formatKm(Math.round(perWeek * 10) / 10)} kg a week, faster than the 0.5–1 kg a week generally advised; the plan keeps a steady pace, so expect it to take longer.`
        : `${formatKm(targetKg)} kg in ${weeks} week(s) is about ${formatKm(Math.round(perWeek * 10) / 10)} kg a week, a realistic pace.`,
    );
  }
  return {
    title: `Weight loss in ${weeks} week(s) (${level})`,
    summary: [
      `${days.length} active days a week: cardio that grows from ${byLevel(level, [25, 30, 35])} to about ${byLevel(level, [45, 50, 60])} minutes, ${strengthDays.size} strength circuits, a weekly weigh-in and one eating habit per week.`,
      'Fat loss comes mostly from a moderate calorie deficit; exercise and habits make it last.',
      ...notes,
      'Check with a doctor before big changes to diet or exercise.',
    ].join(' '),
    weeks: draftWeeks,
  };
}
