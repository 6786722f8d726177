/**
 * One change a person can ask of a plan in words, as the offline planner understands it.
 * Weekdays are numbered like `Date.getUTCDay()`: 0 is Sunday, 6 is Saturday.
 */
export type RevisionChange =
  | { kind: 'volume'; direction: 'easier' | 'harder' }
  | { kind: 'training-days'; days: number }
  | { kind: 'fewer-days' }
  | { kind: 'rest-weekdays'; weekdays: number[] }
  | { kind: 'practice-tests' }
  | { kind: 'shorter-sessions'; maxMinutes: number | null }
  | { kind: 'extend'; weeks: number };

const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  'a couple of': 2,
  'a few': 2,
};
const NUMBER = String.raw`(\d{1,2}|a couple of|a few|an?|one|two|three|four|five|six|seven|eight|nine|ten)`;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const WEEKDAY = '(sunday|monday|tuesday|wednesday|thursday|friday|saturday)s?';

const EASIER =
  /\b(easier|lighter|gentler|less (intense|intensive|volume|work|load|demanding)|too (hard|much|intense|tough|demanding|ambitious)|reduce (the )?(volume|load|intensity|workload)|scale (it )?back|tone (it )?down|slow (it )?down|slower pace|more rest|overwhelmed|exhausted|burn(ed|t)? out)\b/;
const HARDER =
  /\b(harder|more (intense|intensive|challenging|volume|work|demanding)|tougher|too easy|increase (the )?(volume|load|intensity|workload)|step it up|push me|ramp (it )?up)\b/;
const ONLY_DAYS = new RegExp(
  String.raw`\b(?:only|just|max(?:imum)?|at most|no more than|up to)\s+${NUMBER}\s+(?:training |study |workout |practice |running )?days?\b|\b${NUMBER}\s+(?:training |study |workout |practice |running )?days?\s+(?:a|per|each|every)\s+week\b`,
);
const FEWER_DAYS = /\b(fewer|less)\s+(training |study |workout |practice )?(days|sessions)\b/;
const NO_WEEKENDS =
  /\b(no|not on|never on|without|free|off)\s+(training |studying |study |work |workouts? |runs? |practice |tasks? )?(on )?(the )?weekends?\b|\bweekends?\s+(off|free)\b|\b(only|just) (on )?weekdays\b|\bweekdays only\b/;
const REST_DAY = [
  new RegExp(
    String.raw`\b(?:rest|off|free|recovery)(?: day)?s?\s+(?:on|to|=)\s+(?:a |the )?${WEEKDAY}`,
  ),
  new RegExp(
    String.raw`\b${WEEKDAY}\s+(?:off|free|as (?:a |my |the )?(?:rest|free|off)(?: day)?)\b`,
  ),
  new RegExp(
    String.raw`\bno (?:training|studying|study|work|workouts?|runs?|running|practice|tasks?) on ${WEEKDAY}`,
  ),
  new RegExp(String.raw`\b(?:keep|make) ${WEEKDAY} (?:free|off|a rest day|for rest)`),
];
const PRACTICE_TESTS =
  /\b(more|extra|additional|add|another)\b[\w\s-]{0,30}\b(practice (tests?|exams?)|mock (tests?|exams?)|mocks|timed tests?|full[- ]length tests?)\b/;
const SHORTER =
  /\b(shorter|less time|fewer minutes|too long|less (each|per|a) day|short(er)? sessions|cut (the )?sessions?)\b/;
const MINUTES_A_DAY =
  /\b(\d+(?:\.\d+)?)\s*(minutes?|mins?|hours?|hrs?|h)\s+(?:a|per|each|every|max(?:imum)? per)\s+(?:day|session)\b/;
const EXTEND = [
  new RegExp(
    String.raw`\b(?:extend|lengthen|stretch)\s+(?:it |the plan |everything |the deadline )?by\s+${NUMBER}\s+(?:more\s+)?weeks?\b`,
  ),
  new RegExp(String.raw`\b(?:add|give me|need)\s+${NUMBER}\s+(?:more |extra )?weeks?\b`),
  new RegExp(String.raw`\b${NUMBER}\s+(?:more|extra|additional)\s+weeks?\b`),
  new RegExp(
    String.raw`\b(?:push|move|shift)\s+(?:it |the plan |everything |things |the rest )?(?:back|out)\s+(?:by\s+)?${NUMBER}\s+weeks?\b`,
  ),
  new RegExp(
    String.raw`\b(?:postpone|delay)\s+(?:it |the plan |everything )?(?:by\s+)?${NUMBER}\s+weeks?\b`,
  ),
];
const BEHIND =
  /\b(i'?m|i am|we'?re|fell|fallen|falling|running|got|get) behind\b|\bbehind schedule\b|\bpush (it |the plan |everything |things )?(back|out)\b|\bpostpone\b|\bdelay (it|the plan|everything)\b|\bextend (it|the plan|the deadline)\b|\bmore time\b/;

function numberOf(word: string | undefined): number {
  if (!word) return 0;
  return NUMBER_WORDS[word] ?? Number.parseInt(word, 10);
}

function firstMatch(text: string, patterns: readonly RegExp[]): RegExpMatchArray | null {
  for (const pattern of patterns) {
    const match = text.match(pattern);
    if (match) return match;
  }
  return null;
}

/**
 * The changes an instruction asks for, in a fixed order (extend, days, rest days, session
 * length, volume, practice tests), or `[]` when none is recognised. Matching is by keywords,
 * case-insensitive; several changes may come from one instruction.
 *
 * @example
 * parseRevisionInstructions('Make it easier and only 3 days a week');
 * // [{ kind: 'training-days', days: 3 }, { kind: 'volume', direction: 'easier' }]
 */
export function parseRevisionInstructions(instructions: string): RevisionChange[] {
  const text = instructions.toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, ' ');
  const changes: RevisionChange[] = [];

  const extend = firstMatch(text, EXTEND);
  if (extend) changes.push({ kind: 'extend', weeks: Math.max(1, numberOf(extend[1])) });
  else if (BEHIND.test(text)) changes.push({ kind: 'extend', weeks: 1 });

  const only = text.match(ONLY_DAYS);
  const days = numberOf(only?.[1] ?? only?.[2]);
  if (days >= 1 && days <= 7) changes.push({ kind: 'training-days', days });
  else if (FEWER_DAYS.test(text)) changes.push({ kind: 'fewer-days' });

  const weekdays = new Set<number>();
  if (NO_WEEKENDS.test(text)) {
    weekdays.add(6);
    weekdays.add(0);
  }
  for (const pattern of REST_DAY) {
    for (const match of text.matchAll(new RegExp(pattern, 'g'))) {
      const index = WEEKDAYS.indexOf(match[1] ?? '');
      if (index >= 0) weekdays.add(index);
    }
  }
  if (weekdays.size > 0) changes.push({ kind: 'rest-weekdays', weekdays: [...weekdays].sort() });

  const perDay = text.match(MINUTES_A_DAY);
  if (perDay) {
    const amount = Number.parseFloat(perDay[1] ?? '0');
    const minutes = perDay[2]?.startsWith('h') ? amount * 60 : amount;
    if (minutes >= 5) changes.push({ kind: 'shorter-sessions', maxMinutes: Math.floor(minutes) });
  } else if (SHORTER.test(text)) {
    changes.push({ kind: 'shorter-sessions', maxMinutes: null });
  }

  if (EASIER.test(text)) changes.push({ kind: 'volume', direction: 'easier' });
  else if (HARDER.test(text)) changes.push({ kind: 'volume', direction: 'harder' });

  if (PRACTICE_TESTS.test(text)) changes.push({ kind: 'practice-tests' });
  return changes;
}

/**
 * How many weeks an instruction asks to add to the plan (0 when it does not): what
 * `resolvePlanRequest` adds to a revision's timeline.
 *
 * @example
 * extraWeeksRequested('I fell behind, push everything back 2 weeks'); // 2
 */
export function extraWeeksRequested(instructions: string): number {
  const extend = parseRevisionInstructions(instructions).find((change) => change.kind === 'extend');
  return extend?.kind === 'extend' ? extend.weeks : 0;
}
