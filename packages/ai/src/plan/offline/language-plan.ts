import type { TPlanTask } from '../plan.schema.js';
import {
  byLevel,
  cycle,
  type DraftDay,
  type DraftPlan,
  type DraftWeek,
  finalDay,
  makeTask,
  type PlanContext,
  shareMinutes,
  spreadDays,
} from './draft-plan.js';

const THEMES = {
  beginner: [
    'greetings and introductions',
    'numbers, dates and time',
    'family and friends',
    'food and ordering',
    'daily routine',
    'directions and transport',
    'shopping and prices',
    'hobbies and free time',
    'weather and seasons',
    'travel and hotels',
    'home and neighbourhood',
    'health and the body',
  ],
  intermediate: [
    'work and studies',
    'travel stories',
    'plans and ambitions',
    'culture and traditions',
    'news and current events',
    'health and lifestyle',
    'technology',
    'the environment',
    'films and books',
    'opinions and debate',
  ],
  advanced: [
    'politics and society',
    'economy and business',
    'science and research',
    'history',
    'literature',
    'idioms and humour',
    'regional accents and slang',
    'formal correspondence',
    'negotiation',
    'public speaking',
  ],
} as const;

const GRAMMAR = {
  beginner: [
    'pronunciation and the writing system',
    'present tense of common verbs',
    'articles, gender and plurals',
    'questions and negation',
    'adjectives and agreement',
    'possessives',
    'past tense, part 1',
    'talking about the future',
    'prepositions of place and time',
    'object pronouns',
    'past tense, part 2',
    'comparisons',
  ],
  intermediate: [
    'past tenses in contrast',
    'future and conditional',
    'relative clauses',
    'reported speech',
    'mood: wishes, doubts and advice',
    'the passive voice',
    'connectors for longer sentences',
    'pronoun placement',
    'perfect tenses',
    'common verb-preposition pairs',
  ],
  advanced: [
    'nuances of tense, aspect and mood',
    'formal and informal register',
    'complex connectors and cohesion',
    'idioms and fixed expressions',
    'word order for emphasis',
    'rhetorical devices',
    'nominalisation in formal writing',
    'hedging and softening',
    'false friends and near-synonyms',
    'stylistic variation',
  ],
} as const;

type Skill = 'grammar' | 'listening' | 'speaking' | 'reading' | 'writing' | 'review';

/** The skill of each working day of the week, in order; the last day reviews. */
const DAY_SKILLS: Record<number, readonly Skill[]> = {
  5: ['grammar', 'listening', 'speaking', 'reading', 'review'],
  6: ['grammar', 'listening', 'speaking', 'reading', 'writing', 'review'],
};

const VOCABULARY = [
  'Learn {n} new words: {theme}',
  'Spaced-repetition review of this week’s words',
  'Learn {n} more words: {theme}',
  'Use new words: write 5 sentences',
  'Spaced-repetition review and {n} new words',
  'Vocabulary quiz: this week’s words',
];

const IMMERSION = [
  'Immersion: a show or video in {language} with subtitles',
  'Immersion: music in {language}, look up one song’s lyrics',
  'Immersion: switch your phone to {language} for a day',
  'Immersion: a podcast episode for learners',
  'Immersion: read social media posts in {language}',
  'Immersion: think aloud in {language} for 10 minutes',
];

function skillTask(
  skill: Skill,
  input: {
    theme: string;
    grammar: string;
    language: string;
    level: PlanContext['level'];
    week: number;
  },
  minutes: number,
): TPlanTask {
  const { theme, grammar, language, level, week } = input;
  switch (skill) {
    case 'grammar':
      return makeTask(
        `Grammar: ${grammar}`,
        'learning',
        minutes,
        `Study how ${grammar} works in ${language}, then do 10–15 exercises and check them.`,
      );
    case 'listening':
      return makeTask(
        `Listening: ${byLevel(level, ['a slow learner dialogue', 'a learner podcast episode', 'a native podcast or news piece'])} about ${theme}`,
        'listening',
        minutes,
        'Listen once for the gist, then again with the transcript; note 5 useful phrases.',
      );
    case 'speaking':
      return week >= byLevel(level, [3, 1, 1])
        ? makeTask(
            'Speaking: conversation with a tutor or exchange partner',
            'speaking',
            minutes,
            `Talk about ${theme} and use this week’s words; ask to be corrected and note the corrections.`,
          )
        : makeTask(
            `Speaking: shadow a short dialogue about ${theme}`,
            'speaking',
            minutes,
            'Repeat each line right after the audio, copying rhythm and sounds; record yourself once.',
          );
    case 'reading':
      return makeTask(
        `Reading: ${byLevel(level, ['a graded text', 'a short article', 'a long-form article or book chapter'])} about ${theme}`,
        'reading',
        minutes,
        'Read without a dictionary first, then look up only the words that block understanding.',
      );
    case 'writing':
      return makeTask(
        `Writing: ${byLevel(level, ['a short paragraph', 'a 200-word text', 'a 400-word essay'])} about ${theme}`,
        'writing',
        minutes,
        'Use the week’s grammar and words; have it corrected by a tutor, a partner or a checker.',
      );
    case 'review':
      return makeTask(
        'Weekly review: self-quiz on words and grammar',
        'review',
        minutes,
        'Test yourself without notes on this week’s words and grammar; carry the misses into next week.',
      );
  }
}

/**
 * A language plan: short daily vocabulary with spaced repetition, one skill block a day
 * (grammar, listening, speaking, reading, writing) around a weekly theme, conversation
 * practice from week 1 (week 3 for beginners), a weekly self-quiz and a recorded conversation
 * at the end. Level picks the themes and grammar (A1–A2 basics, B1–B2, C1) and the material.
 */
export function buildLanguagePlan(context: PlanContext, language: string | null): DraftPlan {
  const { weeks, level, capMinutes } = context;
  const name = language ?? 'the language';
  const days = spreadDays(byLevel(level, [5, 6, 6]));
  const skills = DAY_SKILLS[days.length] ?? DAY_SKILLS[5]!;
  const newWords = byLevel(level, [10, 15, 20]);
  const parts = shareMinutes(
    capMinutes,
    capMinutes < 30 ? [1] : capMinutes < 90 ? [1, 3] : [1, 3, 2],
  );

  const draftWeeks: DraftWeek[] = [];
  for (let week = 1; week <= weeks; week++) {
    const theme = cycle(THEMES[level], week - 1);
    const grammar = cycle(GRAMMAR[level], week - 1);
    const draftDays: DraftDay[] = days.map((day, index) => {
      const skill = skills[index] ?? 'review';
      const input = { theme, grammar, language: name, level, week };
      if (parts.length === 1) return { day, tasks: [skillTask(skill, input, parts[0]!)] };
      const tasks: TPlanTask[] = [
        skillTask(skill, input, parts[1]!),
        makeTask(
          cycle(VOCABULARY, index).replace('{n}', String(newWords)).replace('{theme}', theme),
          'vocabulary',
          parts[0]!,
          'Flashcards with spaced repetition (e.g. Anki): say each word aloud in a sentence.',
        ),
      ];
      if (parts[2]) {
        tasks.push(
          makeTask(
            cycle(IMMERSION, index + week).replace('{language}', name),
            'immersion',
            parts[2],
            'For fun, at your level or slightly above; do not look up every word.',
          ),
        );
      }
      return { day, tasks };
    });
    if (week === weeks) {
      draftDays.push(
        finalDay(
          'Milestone: a recorded 10-minute conversation',
          'milestone',
          parts.reduce((sum, m) => sum + m, 0),
          `Talk about three of the plan’s themes, record it, and compare with how you spoke in week 1; list what to work on next.`,
        ),
      );
    }
    draftWeeks.push({ theme: `Theme: ${theme}; grammar: ${grammar}`, days: draftDays });
  }

  return {
    title: `${language ? `${language} ` : 'Language learning '}in ${weeks} week(s) (${level})`,
    summary:
      `${days.length} study days a week around a weekly theme: ${newWords} new words a day with spaced repetition, ` +
      `one skill block a day (grammar, listening, speaking, reading${days.length > 5 ? ', writing' : ''}) and a weekly self-quiz, ` +
      `aiming at ${byLevel(level, ['A1–A2 basics', 'B1–B2 fluency', 'C1 precision'])}. ` +
      'Speaking practice with a tutor or exchange partner is weekly; the plan ends with a recorded conversation.',
    weeks: draftWeeks,
  };
}
