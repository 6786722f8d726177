import type { TPlanTask } from '../plan.schema.js';
import type { EnduranceEvent, EnduranceSport } from './detect-goal-family.js';
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
import { formatDistance, formatDuration, formatKm, formatPaceFor } from './format-metrics.js';

type Sport = 'run' | 'ride' | 'swim';
type Role = 'easy' | 'quality' | 'quality2' | 'long' | 'strength' | 'brick';

interface Slot {
  day: number;
  sport: Sport;
  role: Role;
}

interface SportProfile {
  /** Easy pace in min/km for beginner, intermediate, advanced. */
  easyPace: readonly [number, number, number];
  /** Distances are rounded to this, in km. */
  step: number;
  /** The shortest session worth doing, in km. */
  minKm: number;
  /** What is trained towards when the goal names no distance. */
  benchmarkKm: readonly [number, number, number];
  /** Easy sessions as a share of the week's long one. */
  easyShare: number;
}

const SPORTS: Record<Sport, SportProfile> = {
  run: {
    easyPace: [7.5, 6.5, 5.5],
    step: 0.5,
    minKm: 2,
    benchmarkKm: [5, 5, 10],
    easyShare: 0.45,
  },
  ride: {
    easyPace: [60 / 18, 60 / 24, 60 / 28],
    step: 5,
    minKm: 10,
    benchmarkKm: [30, 50, 80],
    easyShare: 0.5,
  },
  swim: {
    easyPace: [30, 23, 18],
    step: 0.1,
    minKm: 0.3,
    benchmarkKm: [0.75, 1.5, 2],
    easyShare: 0.6,
  },
};

const SINGLE_SPORT_SLOTS: Record<Level, readonly Omit<Slot, 'sport'>[]> = {
  beginner: [
    { day: 2, role: 'easy' },
    { day: 3, role: 'strength' },
    { day: 4, role: 'quality' },
    { day: 6, role: 'long' },
  ],
  intermediate: [
    { day: 1, role: 'easy' },
    { day: 2, role: 'quality' },
    { day: 3, role: 'strength' },
    { day: 4, role: 'quality2' },
    { day: 6, role: 'long' },
  ],
  advanced: [
    { day: 1, role: 'easy' },
    { day: 2, role: 'quality' },
    { day: 3, role: 'easy' },
    { day: 3, role: 'strength' },
    { day: 4, role: 'quality2' },
    { day: 5, role: 'easy' },
    { day: 6, role: 'long' },
  ],
};

const TRIATHLON_SLOTS: Record<Level, readonly Slot[]> = {
  beginner: [
    { day: 1, sport: 'swim', role: 'easy' },
    { day: 2, sport: 'run', role: 'easy' },
    { day: 4, sport: 'swim', role: 'quality' },
    { day: 6, sport: 'ride', role: 'long' },
    { day: 6, sport: 'run', role: 'brick' },
    { day: 7, sport: 'run', role: 'long' },
  ],
  intermediate: [
    { day: 1, sport: 'swim', role: 'easy' },
    { day: 2, sport: 'run', role: 'quality' },
    { day: 3, sport: 'ride', role: 'quality' },
    { day: 4, sport: 'swim', role: 'quality' },
    { day: 6, sport: 'ride', role: 'long' },
    { day: 6, sport: 'run', role: 'brick' },
    { day: 7, sport: 'run', role: 'long' },
  ],
  advanced: [
    { day: 1, sport: 'swim', role: 'easy' },
    { day: 2, sport: 'run', role: 'quality' },
    { day: 3, sport: 'ride', role: 'quality' },
    { day: 4, sport: 'swim', role: 'quality' },
    { day: 4, sport: 'run', role: 'easy' },
    { day: 5, sport: 'ride', role: 'easy' },
    { day: 6, sport: 'ride', role: 'long' },
    { day: 6, sport: 'run', role: 'brick' },
    { day: 7, sport: 'run', role: 'long' },
  ],
};

const LONG_NAMES: Record<Sport, string> = { run: 'long run', ride: 'long ride', swim: 'long swim' };
const WEEKLY_GROWTH = 1.15;

function roundTo(km: number, step: number): number {
  return Number((Math.round(km / step) * step).toFixed(2));
}

function floorTo(km: number, step: number): number {
  return Number((Math.floor(km / step + 1e-9) * step).toFixed(2));
}

/** Long sessions at the start and at the peak of the build, in km. */
function longRange(sport: Sport, distanceKm: number, level: Level) {
  if (sport === 'run') {
    const [start, peak] =
      distanceKm <= 5
        ? [byLevel(level, [0.4, 0.8, 1.2]), byLevel(level, [1.2, 1.6, 2])]
        : distanceKm <= 10
          ? [byLevel(level, [0.4, 0.6, 0.8]), byLevel(level, [1, 1.2, 1.5])]
          : distanceKm <= 21.1
            ? [byLevel(level, [0.3, 0.45, 0.6]), byLevel(level, [0.76, 0.86, 1])]
            : [byLevel(level, [0.25, 0.35, 0.45]), byLevel(level, [0.66, 0.76, 0.8])];
    const cap = distanceKm > 42.2 ? 45 : Number.POSITIVE_INFINITY;
    return { start: Math.min(cap, distanceKm * start), peak: Math.min(cap, distanceKm * peak) };
  }
  if (sport === 'ride') {
    return {
      start: distanceKm * byLevel(level, [0.3, 0.4, 0.5]),
      peak: distanceKm * byLevel(level, [0.75, 0.9, 1]),
    };
  }
  return {
    start: distanceKm * byLevel(level, [0.3, 0.5, 0.7]),
    peak: distanceKm * byLevel(level, [1, 1.2, 1.4]),
  };
}

interface Paces {
  easy: number;
  long: number;
  quality: number;
  race: number;
}

function pacesOf(sport: Sport, level: Level): Paces {
  const easy = byLevel(level, SPORTS[sport].easyPace);
  if (sport === 'run') return { easy, long: easy + 0.25, quality: easy - 0.75, race: easy - 0.5 };
  if (sport === 'ride') return { easy, long: easy * 1.03, quality: easy / 1.12, race: easy / 1.08 };
  return { easy, long: easy * 1.03, quality: easy * 0.9, race: easy * 0.95 };
}

/** The metrics of a session at a pace: pace for runs and swims, speed for rides. */
function paceMetric(sport: Sport, pace: number) {
  return sport === 'ride'
    ? { speedKmh: Math.round((60 / pace) * 10) / 10 }
    : { paceMinPerKm: Math.round(pace * 100) / 100 };
}

interface SessionInput {
  sport: Sport;
  role: Role;
  /** This week's long session for the sport, in km. */
  longKm: number;
  /** 0 at the first build week, 1 at the peak. */
  progress: number;
  weekIndex: number;
  level: Level;
  capMinutes: number;
  /** Final week: shorter, sharper sessions. */
  raceWeek: boolean;
  /** The event distance for this sport (or the benchmark). */
  targetKm: number;
  /** How many sessions of this sport and role came before this one in the week. */
  occurrence: number;
}

/** How far fits into `minutes` at `pace`, at least the sport's shortest session. */
function distanceWithin(sport: Sport, km: number, pace: number, minutes: number) {
  const { step, minKm } = SPORTS[sport];
  const within = floorTo(minutes / pace, step);
  return Math.max(Math.min(roundTo(km, step), within), Math.min(minKm, within), step);
}

function easySession(input: SessionInput, km: number, title: string, advice: string) {
  const paces = pacesOf(input.sport, input.level);
  const distance = distanceWithin(input.sport, km, paces.easy, input.capMinutes);
  return makeTask(
    `${title}: ${formatDistance(distance)}`,
    input.sport,
    fitMinutes(distance * paces.easy, input.capMinutes),
    advice,
    { distanceKm: distance, ...paceMetric(input.sport, paces.easy) },
  );
}

function runQuality(input: SessionInput, kind: 'intervals' | 'tempo'): TPlanTask {
  const paces = pacesOf('run', input.level);
  const warmCool = 3 * paces.easy;
  if (input.raceWeek) {
    const km = distanceWithin('run', Math.min(5, input.longKm * 0.3), paces.race, input.capMinutes);
    return makeTask(
      `Race-pace shakeout: ${formatDistance(km)}`,
      'run',
      fitMinutes(km * paces.race, input.capMinutes),
      'Easy running with a few minutes at goal race pace, to stay sharp without getting tired.',
      { distanceKm: km, paceMinPerKm: paces.race },
    );
  }
  if (kind === 'tempo') {
    const fits = (input.capMinutes - warmCool) / paces.quality;
    const km = Math.min(roundTo(Math.max(1.5, input.longKm * 0.35), 0.5), floorTo(fits, 0.5));
    if (km >= 1) {
      return makeTask(
        `Tempo run: ${formatDistance(km)} at tempo pace`,
        'run',
        fitMinutes(warmCool + km * paces.quality, input.capMinutes),
        'Comfortably hard, about the pace you could hold for an hour; 2 km easy warm-up and 1 km cool-down around it.',
        { distanceKm: km, paceMinPerKm: paces.quality },
      );
    }
  } else {
    const repKm =
      input.targetKm <= 10
        ? byLevel(input.level, [0.4, 0.8, 0.8])
        : byLevel(input.level, [0.8, 1, 1.6]);
    const [fewest, most] = byLevel(input.level, [
      [4, 6],
      [5, 8],
      [6, 10],
    ] as const);
    const repPace = paces.quality - 0.5;
    let reps = Math.round(fewest + (most - fewest) * input.progress);
    const minutes = (n: number) => warmCool + n * (repKm * repPace + 2);
    while (reps > 2 && minutes(reps) > input.capMinutes) reps--;
    if (minutes(reps) <= input.capMinutes) {
      return makeTask(
        `Intervals: ${reps} × ${formatDistance(repKm)}`,
        'run',
        fitMinutes(minutes(reps), input.capMinutes),
        'Warm up 15 min easy, run each repeat hard but controlled with 2 min easy jogging between, cool down 10 min.',
        { reps, distanceKm: roundTo(reps * repKm, 0.1), paceMinPerKm: repPace },
      );
    }
  }
  return easySession(
    input,
    input.longKm * SPORTS.run.easyShare,
    'Easy run with strides',
    'Conversational pace, then 6 × 20 s relaxed fast strides with full recovery.',
  );
}

function session(input: SessionInput): TPlanTask | null {
  const { sport, role, level, capMinutes } = input;
  const paces = pacesOf(sport, level);
  const easyKm = input.longKm * SPORTS[sport].easyShare;
  if (role === 'strength') {
    if (input.raceWeek) return null;
    const label =
      sport === 'swim' ? 'Dryland: core and shoulder mobility' : 'Strength and mobility';
    return makeTask(
      label,
      'strength',
      fitMinutes(byLevel(level, [20, 30, 30]), capMinutes),
      sport === 'swim'
        ? 'Planks, band pull-aparts, push-ups and shoulder circles: 2–3 rounds.'
        : 'Squats, lunges, calf raises, glute bridges and planks: 2–3 rounds, then hip and ankle mobility.',
      { sets: byLevel(level, [2, 3, 3]), reps: 12 },
    );
  }
  if (role === 'brick') {
    if (input.raceWeek || input.progress < 0.5) return null;
    const km = distanceWithin('run', Math.min(5, input.targetKm * 0.3), paces.easy, capMinutes);
    return makeTask(
      `Brick run off the bike: ${formatDistance(km)}`,
      'run',
      fitMinutes(km * paces.easy, capMinutes),
      'Straight after the ride, run easy to get used to running on cycling legs.',
      { distanceKm: km, paceMinPerKm: paces.easy },
    );
  }
  if (role === 'long') {
    if (input.raceWeek) return null;
    const distance = distanceWithin(sport, input.longKm, paces.long, capMinutes);
    const advice = {
      run: 'Slow and steady, walking breaks are fine; practise drinking and fuelling on runs over 90 minutes.',
      ride: 'Steady endurance pace; eat and drink every 20–30 minutes.',
      swim: 'Continuous swimming at a steady pace; practise sighting every 6–8 strokes.',
    }[sport];
    const title = { run: 'Long run', ride: 'Long ride', swim: 'Endurance swim' }[sport];
    return makeTask(
      `${title}: ${formatDistance(distance)}`,
      sport,
      fitMinutes(distance * paces.long, capMinutes),
      advice,
      { distanceKm: distance, ...paceMetric(sport, paces.long) },
    );
  }
  if (role === 'easy') {
    // A second or third easy session in a week is shorter and named differently.
    const km = input.occurrence === 0 ? easyKm : easyKm * 0.8;
    const first = input.weekIndex < 2 && level === 'beginner';
    const [title, advice] = {
      run: [
        [
          'Easy run',
          first
            ? 'Run/walk is fine: 2 min running, 1 min walking, at a pace where you can talk.'
            : 'Conversational pace: you should be able to speak in full sentences.',
        ],
        ['Recovery run', 'Slower than easy; it should feel like it loosens your legs.'],
        ['Aerobic run', 'Steady and relaxed, finishing a little faster than you started.'],
      ],
      ride: [
        ['Easy ride', 'Low effort, high cadence (85–95 rpm).'],
        ['Recovery spin', 'Very easy, flat route, spinning the legs out.'],
        ['Endurance ride', 'Steady, conversational effort.'],
      ],
      swim: [
        [
          'Technique swim',
          'Drills (catch-up, single-arm, kick with a board), then easy continuous swimming.',
        ],
        ['Easy swim', 'Relaxed, long strokes, bilateral breathing.'],
        ['Drill swim', 'Alternate 50 m drill and 50 m easy swimming.'],
      ],
    }[sport][Math.min(2, input.occurrence)]!;
    return easySession(input, km, title!, advice!);
  }
  if (role === 'quality2' && input.raceWeek) {
    const strides = {
      run: ['Easy run with strides', 'Conversational pace, then 4 × 20 s relaxed fast strides.'],
      ride: [
        'Easy spin with short sprints',
        'Easy pedalling with 3 × 15 s sprints, full recovery.',
      ],
      swim: ['Easy swim with fast 25s', 'Easy swimming with 4 × 25 m fast, full recovery.'],
    }[sport];
    return easySession(input, easyKm * 0.6, strides[0]!, strides[1]!);
  }
  // quality and quality2
  if (sport === 'run') {
    const tempoFirst = input.weekIndex % 2 === 1;
    const kind = (role === 'quality') === tempoFirst ? 'tempo' : 'intervals';
    if (level === 'beginner' && input.progress < 0.34 && !input.raceWeek) {
      return easySession(
        input,
        easyKm,
        'Easy run with strides',
        'Conversational pace, then 4–6 × 20 s relaxed fast strides with full recovery.',
      );
    }
    return runQuality(input, kind);
  }
  if (sport === 'ride') {
    const km = input.raceWeek ? easyKm * 0.5 : easyKm;
    const distance = distanceWithin('ride', km, paces.quality, capMinutes);
    const blocks = input.raceWeek ? 2 : Math.round(2 + 2 * input.progress);
    if (role === 'quality2') {
      return makeTask(
        `Hill repeats: ${formatDistance(distance)} with ${blocks + 2} × 3 min climbs`,
        'ride',
        fitMinutes(distance * paces.quality, capMinutes),
        'Climb each hill seated at a hard, steady effort; spin easy on the way down.',
        { distanceKm: distance, ...paceMetric('ride', paces.quality) },
      );
    }
    return makeTask(
      `Sweet-spot ride: ${formatDistance(distance)} with ${blocks} × 8 min hard`,
      'ride',
      fitMinutes(distance * paces.quality, capMinutes),
      'Warm up 15 min, then hold a hard but sustainable effort for each 8-minute block with 4 min easy between.',
      { distanceKm: distance, ...paceMetric('ride', paces.quality) },
    );
  }
  const repKm = role === 'quality2' ? 0.2 : 0.1;
  const repeats = Math.max(
    3,
    Math.round(((input.raceWeek ? 0.5 : 1) * input.longKm * 0.6) / repKm),
  );
  const fitting = Math.floor((capMinutes - 10) / (repKm * paces.quality + 0.35));
  const reps = Math.max(2, Math.min(repeats, fitting, 30));
  if (role === 'quality2') {
    return makeTask(
      `Threshold swim: ${reps} × 200 m`,
      'swim',
      fitMinutes(10 + reps * (repKm * paces.quality + 0.35), capMinutes),
      '10 min easy warm-up, then each 200 m at a strong, even pace with 20 s rest.',
      {
        reps,
        distanceKm: roundTo(reps * repKm, 0.1),
        paceMinPerKm: Math.round(paces.quality * 100) / 100,
      },
    );
  }
  return makeTask(
    `Interval swim: ${reps} × 100 m`,
    'swim',
    fitMinutes(10 + reps * (0.1 * paces.quality + 0.35), capMinutes),
    '10 min easy warm-up, then each 100 m strong with 20 s rest.',
    {
      reps,
      distanceKm: roundTo(reps * 0.1, 0.1),
      paceMinPerKm: Math.round(paces.quality * 100) / 100,
    },
  );
}

function raceTask(
  sport: EnduranceSport,
  event: EnduranceEvent | null,
  targetKm: number,
  level: Level,
  capMinutes: number,
): TPlanTask {
  const single: Sport = sport === 'triathlon' ? 'run' : sport;
  if (!event) {
    const paces = pacesOf(single, level);
    const label = { run: 'Benchmark run', ride: 'Benchmark ride', swim: 'Benchmark swim' }[single];
    const km = distanceWithin(single, targetKm, paces.race, capMinutes);
    return makeTask(
      `${label}: ${formatDistance(km)}`,
      single,
      fitMinutes(km * paces.race, capMinutes),
      'Go at a strong, even effort and note your time: it is your baseline for what comes next.',
      { distanceKm: km, ...paceMetric(single, paces.race) },
    );
  }
  let minutes: number;
  let metrics: Parameters<typeof makeTask>[4];
  let what: string;
  if (event.legs) {
    const { swimKm, rideKm, runKm } = event.legs;
    minutes =
      swimKm * pacesOf('swim', level).race +
      rideKm * pacesOf('ride', level).race +
      runKm * pacesOf('run', level).race +
      10;
    metrics = { distanceKm: event.distanceKm };
    what = `${formatDistance(swimKm)} swim, ${formatDistance(rideKm)} bike, ${formatDistance(runKm)} run`;
  } else {
    const pace = pacesOf(single, level).race;
    minutes = event.distanceKm * pace;
    metrics = { distanceKm: event.distanceKm, ...paceMetric(single, pace) };
    what = formatDistance(event.distanceKm);
  }
  const effort = fitMinutes(minutes, capMinutes);
  const limit =
    effort < Math.round(minutes)
      ? ` It takes longer than your daily time; the plan counts it as ${formatDuration(effort)}.`
      : '';
  return makeTask(
    `Race day: ${event.name} (${what})`,
    'race',
    effort,
    `Expect about ${formatDuration(minutes)}. Warm up briefly, start slower than you feel like, and keep an even effort.${limit}`,
    metrics,
  );
}

/**
 * A plan for an endurance event: a running race (5 km to marathon), a long ride, a swim or a
 * triathlon; without a named distance, training towards a benchmark effort. Sessions per week
 * and paces follow the level; the long session grows about 15% a week from a level-dependent
 * start towards the peak (every fourth week is a cutback), the last one to three weeks taper,
 * and the event is on the plan's last day. Every session fits the daily time: distances shrink
 * when it is short, and the summary says so.
 */
export function buildEndurancePlan(
  context: PlanContext,
  family: { sport: EnduranceSport; event: EnduranceEvent | null },
): DraftPlan {
  const { weeks, level, capMinutes } = context;
  const { sport, event } = family;
  const sports: Sport[] = sport === 'triathlon' ? ['swim', 'ride', 'run'] : [sport];
  const slots: readonly Slot[] =
    sport === 'triathlon'
      ? TRIATHLON_SLOTS[level]
      : SINGLE_SPORT_SLOTS[level].map((slot) => ({ ...slot, sport }));

  const targetOf = (s: Sport): number => {
    if (event?.legs)
      return { swim: event.legs.swimKm, ride: event.legs.rideKm, run: event.legs.runKm }[s];
    return event ? event.distanceKm : byLevel(level, SPORTS[s].benchmarkKm);
  };
  const big =
    event !== null &&
    ((sport === 'run' && event.distanceKm >= 21) ||
      (sport === 'ride' && event.distanceKm >= 100) ||
      (sport === 'swim' && event.distanceKm >= 5) ||
      (sport === 'triathlon' && event.distanceKm >= 100));
  const taperWeeks = Math.min(
    weeks,
    big ? (weeks >= 16 && event.distanceKm >= 42 ? 3 : weeks >= 10 ? 2 : 1) : 1,
  );
  const buildWeeks = weeks - taperWeeks;

  const curves = new Map(
    sports.map((s) => {
      const range = longRange(s, targetOf(s), level);
      const reachable = range.start * WEEKLY_GROWTH ** Math.max(0, buildWeeks - 1);
      const top = Math.max(range.start, Math.min(range.peak, reachable));
      return [s, { ...range, top }];
    }),
  );
  const longKm = (s: Sport, week: number): number => {
    const curve = curves.get(s)!;
    if (week <= buildWeeks) {
      const base =
        buildWeeks === 1
          ? curve.top
          : curve.start * (curve.top / curve.start) ** ((week - 1) / (buildWeeks - 1));
      const cutback = week % 4 === 0 && week < buildWeeks ? 0.8 : 1;
      return base * cutback;
    }
    const taperStep = week - buildWeeks;
    const factors = taperWeeks === 3 ? [0.8, 0.6, 0.4] : taperWeeks === 2 ? [0.65, 0.4] : [0.4];
    return curve.top * (factors[taperStep - 1] ?? 0.4);
  };

  const draftWeeks: DraftWeek[] = [];
  let longest = 0;
  for (let week = 1; week <= weeks; week++) {
    const raceWeek = week === weeks;
    // Taper weeks keep some intensity at half the peak's.
    const progress = week > buildWeeks ? 0.5 : buildWeeks <= 1 ? 1 : (week - 1) / (buildWeeks - 1);
    const byDay = new Map<number, TPlanTask[]>();
    const seen = new Map<string, number>();
    for (const slot of slots) {
      if (raceWeek && slot.day > 4) continue;
      const task = session({
        sport: slot.sport,
        role: slot.role,
        longKm: longKm(slot.sport, week),
        progress,
        weekIndex: week - 1,
        level,
        capMinutes,
        raceWeek,
        targetKm: targetOf(slot.sport),
        occurrence: seen.get(`${slot.sport}:${slot.role}`) ?? 0,
      });
      seen.set(`${slot.sport}:${slot.role}`, (seen.get(`${slot.sport}:${slot.role}`) ?? 0) + 1);
      if (!task) continue;
      const dayTasks = byDay.get(slot.day) ?? [];
      const used = dayTasks.reduce((sum, t) => sum + t.effortMinutes, 0);
      if (used + task.effortMinutes > capMinutes) continue;
      dayTasks.push(task);
      byDay.set(slot.day, dayTasks);
      if (slot.role === 'long' && slot.sport === sports.at(-1)) {
        longest = Math.max(longest, task.metrics?.distanceKm ?? 0);
      }
    }
    if (raceWeek)
      byDay.set(7, [raceTask(sport, event, targetOf(sports.at(-1)!), level, capMinutes)]);
    const days: DraftDay[] = [...byDay.entries()]
      .filter(([, tasks]) => tasks.length > 0)
      .map(([day, tasks]) => ({ day, tasks }));
    draftWeeks.push({ theme: themeOf(week, { weeks, buildWeeks, sports, longKm, event }), days });
  }

  const main = sports.at(-1)!;
  const curve = curves.get(main)!;
  const paces = pacesOf(main, level);
  const notes: string[] = [];
  if (curve.top < curve.peak * 0.9) {
    notes.push(
      `${weeks} week(s) is short for this: the ${LONG_NAMES[main]} builds to ${formatKm(roundTo(curve.top, SPORTS[main].step))} km, where a full build reaches about ${formatKm(roundTo(curve.peak, SPORTS[main].step))} km.`,
    );
  }
  if (longest > 0 && longest < roundTo(curve.top, SPORTS[main].step) - SPORTS[main].step) {
    notes.push(
      `Your daily time limits the ${LONG_NAMES[main]} to about ${formatKm(longest)} km; allow more time on those days if you can.`,
    );
  }
  const sessionDays = new Set(slots.map((slot) => slot.day)).size;
  const goalText = event
    ? `the ${event.name} on the last day of the plan`
    : `a ${formatDistance(targetOf(main))} benchmark effort on the last day`;
  const paceText =
    main === 'ride'
      ? `easy ~${Math.round(60 / paces.easy)} km/h`
      : `easy ${formatPaceFor(paces.easy)}, long ${formatPaceFor(paces.long)}, race ${formatPaceFor(paces.race)}`;
  const title = event
    ? `${capitalize(event.name)} in ${weeks} week(s) (${level})`
    : `${capitalize(LONG_NAMES[main].replace('long ', ''))} fitness in ${weeks} week(s) (${level})`;
  return {
    title,
    summary: [
      `Training ${sessionDays} days a week towards ${goalText}: easy sessions, one or two harder ones, and a ${LONG_NAMES[main]} from ${formatKm(roundTo(curve.start, SPORTS[main].step))} km up to ${formatKm(roundTo(curve.top, SPORTS[main].step))} km (every fourth week is lighter), then ${taperWeeks} week(s) of taper.`,
      `Paces at ${level} level: ${paceText}; adjust by feel.`,
      ...notes,
    ].join(' '),
    weeks: draftWeeks,
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function themeOf(
  week: number,
  plan: {
    weeks: number;
    buildWeeks: number;
    sports: Sport[];
    longKm: (sport: Sport, week: number) => number;
    event: EnduranceEvent | null;
  },
): string {
  const longs = plan.sports
    .map((s) => `${LONG_NAMES[s]} ${formatKm(roundTo(plan.longKm(s, week), SPORTS[s].step))} km`)
    .join(', ');
  if (week === plan.weeks) {
    return plan.event
      ? `Race week: rest up for the ${plan.event.name}`
      : 'Benchmark week: test your progress';
  }
  if (week > plan.buildWeeks) return 'Taper: less volume, keep some speed';
  if (week === 1) return `Base: easy sessions, ${longs}`;
  if (week % 4 === 0 && week < plan.buildWeeks)
    return 'Cutback week: recover and absorb the training';
  if (week === plan.buildWeeks) return `Peak week: ${longs}`;
  return `Build: ${longs}`;
}
