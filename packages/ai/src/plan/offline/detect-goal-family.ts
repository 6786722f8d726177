/** A distance event: a race, a long ride or a swim; triathlons carry their three legs. */
export interface EnduranceEvent {
  name: string;
  distanceKm: number;
  legs?: { swimKm: number; rideKm: number; runKm: number };
}

export type EnduranceSport = 'run' | 'ride' | 'swim' | 'triathlon';

export type ExamSection = { name: string; skill: string };

export interface ExamProfile {
  name: string;
  sections: readonly ExamSection[];
  /** Length of a full practice test. */
  testMinutes: number;
}

export type ProgrammingTrack = 'data' | 'ml' | 'sql' | 'web' | 'algorithms' | 'general';
export type WritingForm = 'novel' | 'blog' | 'thesis' | 'general';

/** What kind of goal a request is, with what the offline planner needs to plan it. */
export type GoalFamily =
  | { kind: 'endurance'; sport: EnduranceSport; event: EnduranceEvent | null }
  | { kind: 'weight-loss'; targetKg: number | null }
  | { kind: 'strength'; focus: string | null }
  | { kind: 'exam'; exam: ExamProfile }
  | { kind: 'programming'; track: ProgrammingTrack; language: string | null }
  | { kind: 'language'; language: string | null }
  | { kind: 'music'; instrument: string | null }
  | { kind: 'writing'; form: WritingForm; targetWords: number | null }
  | { kind: 'generic'; topic: string };

const MILE_KM = 1.609;

const EXAMS: readonly { pattern: RegExp; profile: ExamProfile }[] = [
  {
    pattern: /\bgre\b/i,
    profile: {
      name: 'GRE',
      testMinutes: 120,
      sections: [
        { name: 'Verbal Reasoning', skill: 'text completion, sentence equivalence and reading' },
        {
          name: 'Quantitative Reasoning',
          skill: 'arithmetic, algebra, geometry and data analysis',
        },
        { name: 'Analytical Writing', skill: 'the "Analyze an Issue" essay' },
      ],
    },
  },
  {
    pattern: /\bgmat\b/i,
    profile: {
      name: 'GMAT',
      testMinutes: 135,
      sections: [
        { name: 'Quantitative Reasoning', skill: 'problem solving in algebra and arithmetic' },
        { name: 'Verbal Reasoning', skill: 'critical reasoning and reading comprehension' },
        { name: 'Data Insights', skill: 'data sufficiency, tables and graphics' },
      ],
    },
  },
  {
    pattern: /\bSAT\b/,
    profile: {
      name: 'SAT',
      testMinutes: 135,
      sections: [
        { name: 'Reading and Writing', skill: 'craft, structure, grammar and evidence questions' },
        { name: 'Math', skill: 'algebra, advanced math, problem solving and geometry' },
      ],
    },
  },
  {
    pattern: /\bACT\b/,
    profile: {
      name: 'ACT',
      testMinutes: 175,
      sections: [
        { name: 'English', skill: 'grammar, usage and rhetoric' },
        { name: 'Math', skill: 'algebra, geometry and trigonometry' },
        { name: 'Reading', skill: 'timed passages' },
        { name: 'Science', skill: 'data representation and experiments' },
      ],
    },
  },
  {
    pattern: /\blsat\b/i,
    profile: {
      name: 'LSAT',
      testMinutes: 180,
      sections: [
        { name: 'Logical Reasoning', skill: 'arguments, assumptions and flaws' },
        { name: 'Reading Comprehension', skill: 'dense passages and comparative reading' },
        { name: 'Argumentative Writing', skill: 'the written argument' },
      ],
    },
  },
  {
    pattern: /\bmcat\b/i,
    profile: {
      name: 'MCAT',
      testMinutes: 450,
      sections: [
        { name: 'Chemical and Physical Foundations', skill: 'general chemistry and physics' },
        { name: 'Critical Analysis and Reasoning', skill: 'CARS passages' },
        { name: 'Biological and Biochemical Foundations', skill: 'biology and biochemistry' },
        { name: 'Psychological and Social Foundations', skill: 'psychology and sociology' },
      ],
    },
  },
  {
    pattern: /\bielts\b/i,
    profile: {
      name: 'IELTS',
      testMinutes: 165,
      sections: [
        { name: 'Listening', skill: 'four recordings, note completion' },
        { name: 'Reading', skill: 'skimming, scanning and True/False/Not Given' },
        { name: 'Writing', skill: 'Task 1 report and Task 2 essay' },
        { name: 'Speaking', skill: 'the three-part interview' },
      ],
    },
  },
  {
    pattern: /\btoefl\b/i,
    profile: {
      name: 'TOEFL',
      testMinutes: 120,
      sections: [
        { name: 'Reading', skill: 'academic passages' },
        { name: 'Listening', skill: 'lectures and conversations' },
        { name: 'Speaking', skill: 'independent and integrated tasks' },
        { name: 'Writing', skill: 'integrated and academic discussion tasks' },
      ],
    },
  },
  {
    pattern: /\bbar (exam|examination)\b|\bthe bar\b|\bmbe\b|\bube\b/i,
    profile: {
      name: 'bar exam',
      testMinutes: 360,
      sections: [
        { name: 'MBE', skill: 'multiple-choice questions across the seven subjects' },
        { name: 'Essays (MEE)', skill: 'issue spotting and IRAC answers' },
        { name: 'Performance Test (MPT)', skill: 'a lawyering task from a file and library' },
      ],
    },
  },
  {
    pattern: /\bcfa\b/i,
    profile: {
      name: 'CFA exam',
      testMinutes: 270,
      sections: [
        { name: 'Ethics', skill: 'the Code and Standards' },
        { name: 'Financial Statement Analysis', skill: 'statements, ratios and adjustments' },
        { name: 'Quantitative Methods and Economics', skill: 'time value, statistics, economics' },
        { name: 'Portfolio and Asset Classes', skill: 'equity, fixed income and derivatives' },
      ],
    },
  },
  {
    pattern: /\b(jlpt|dele|delf|dalf|hsk|goethe|testdaf|topik)\b/i,
    profile: {
      name: 'language exam',
      testMinutes: 150,
      sections: [
        { name: 'Vocabulary and Grammar', skill: 'the level’s word list and structures' },
        { name: 'Reading', skill: 'timed texts' },
        { name: 'Listening', skill: 'recordings at exam speed' },
        { name: 'Writing and Speaking', skill: 'the productive tasks' },
      ],
    },
  },
];

const GENERIC_EXAM: ExamProfile = {
  name: 'exam',
  testMinutes: 120,
  sections: [
    { name: 'Core topics', skill: 'the most heavily weighted part of the syllabus' },
    { name: 'Problem practice', skill: 'worked problems and past questions' },
    { name: 'Weak areas', skill: 'the topics you score lowest on' },
  ],
};

const LANGUAGES = [
  'spanish',
  'french',
  'german',
  'italian',
  'portuguese',
  'japanese',
  'mandarin',
  'chinese',
  'cantonese',
  'korean',
  'arabic',
  'russian',
  'hindi',
  'dutch',
  'swedish',
  'norwegian',
  'danish',
  'finnish',
  'polish',
  'greek',
  'turkish',
  'hebrew',
  'vietnamese',
  'thai',
  'indonesian',
  'ukrainian',
  'czech',
  'english',
  'latin',
];

const INSTRUMENTS = [
  'guitar',
  'bass',
  'piano',
  'keyboard',
  'violin',
  'viola',
  'cello',
  'drums',
  'ukulele',
  'saxophone',
  'trumpet',
  'flute',
  'clarinet',
  'harmonica',
  'banjo',
  'mandolin',
  'harp',
  'singing',
  'voice',
];

const PROGRAMMING_LANGUAGES: readonly [RegExp, string][] = [
  [/\bpython\b/, 'Python'],
  [/\btypescript\b/, 'TypeScript'],
  [/\bjavascript\b|\bjs\b|\bnode(\.js)?\b/, 'JavaScript'],
  [/\bjava\b/, 'Java'],
  [/\brust\b/, 'Rust'],
  [/\bgolang\b|\bgo (programming|language)\b|\blearn go\b/, 'Go'],
  [/\bc\+\+|\bcpp\b/, 'C++'],
  [/\bc#|\bc sharp\b|\.net\b/, 'C#'],
  [/\bkotlin\b/, 'Kotlin'],
  [/\bswift\b/, 'Swift'],
  [/\bruby\b/, 'Ruby'],
  [/\bphp\b/, 'PHP'],
  [/\br programming\b|\blearn r\b|\bin r\b/, 'R'],
  [/\bsql\b|\bpostgres(ql)?\b|\bmysql\b/, 'SQL'],
];

function numberIn(text: string, pattern: RegExp): number | null {
  const match = text.match(pattern);
  if (!match?.[1]) return null;
  const value = Number.parseFloat(match[1].replace(',', '.'));
  return Number.isFinite(value) && value > 0 ? value : null;
}

function enduranceOf(text: string): GoalFamily | null {
  const triathlon = /\b(triathlon|ironman|70\.3|duathlon)\b/.test(text);
  const ride = /\b(cycl(e|ing|ist)|bik(e|ing)|ride|riding|gran fondo|sportive|century)\b/.test(
    text,
  );
  const swim = /\b(swim(ming)?|open[- ]water)\b/.test(text);
  const run = /\b(run(ning|ner|s)?|jog(ging)?|marathon|half[- ]marathon|couch to|parkrun)\b/.test(
    text,
  );
  const bareDistance = /\b\d+ ?k\b(?! ?steps)/.test(text) || /\brace\b/.test(text);
  const sport = run ? 'run' : ride ? 'ride' : swim ? 'swim' : bareDistance ? 'run' : null;

  if (triathlon) {
    const full = /\b(ironman|full (distance )?triathlon|140\.6)\b/.test(text);
    const half = /\b(70\.3|half[- ]ironman|half (distance )?triathlon|middle distance)\b/.test(
      text,
    );
    const olympic = /\b(olympic|standard)\b/.test(text);
    const sprint = /\bsprint\b/.test(text);
    const [name, legs] = full
      ? (['Ironman triathlon', { swimKm: 3.8, rideKm: 180, runKm: 42.2 }] as const)
      : half
        ? (['half-distance triathlon', { swimKm: 1.9, rideKm: 90, runKm: 21.1 }] as const)
        : olympic
          ? (['Olympic triathlon', { swimKm: 1.5, rideKm: 40, runKm: 10 }] as const)
          : sprint || !olympic
            ? (['sprint triathlon', { swimKm: 0.75, rideKm: 20, runKm: 5 }] as const)
            : (['Olympic triathlon', { swimKm: 1.5, rideKm: 40, runKm: 10 }] as const);
    const distanceKm = Math.round((legs.swimKm + legs.rideKm + legs.runKm) * 100) / 100;
    return { kind: 'endurance', sport: 'triathlon', event: { name, distanceKm, legs } };
  }

  if (!sport) return null;
  const km =
    numberIn(text, /\b(\d+(?:[.,]\d+)?)\s?(?:k|km|kms|kilometers?|kilometres?)\b/) ??
    (() => {
      const miles = numberIn(text, /\b(\d+(?:[.,]\d+)?)\s?(?:mi|miles?)\b/);
      return miles === null ? null : Math.round(miles * MILE_KM * 10) / 10;
    })() ??
    (() => {
      const metres = numberIn(text, /\b(\d{3,5})\s?m(?:eters?|etres?)?\b/);
      return metres === null ? null : metres / 1000;
    })();

  if (sport === 'run') {
    if (/\bhalf[- ]marathon\b/.test(text)) {
      return { kind: 'endurance', sport, event: { name: 'half marathon', distanceKm: 21.1 } };
    }
    if (/\bmarathon\b/.test(text)) {
      return { kind: 'endurance', sport, event: { name: 'marathon', distanceKm: 42.2 } };
    }
    if (/\bcouch to 5 ?k\b/.test(text)) {
      return { kind: 'endurance', sport, event: { name: '5 km run', distanceKm: 5 } };
    }
    if (km !== null && km >= 1 && km <= 100) {
      return { kind: 'endurance', sport, event: { name: `${km} km race`, distanceKm: km } };
    }
    return { kind: 'endurance', sport, event: null };
  }
  if (sport === 'ride') {
    if (/\bcentury\b/.test(text)) {
      return { kind: 'endurance', sport, event: { name: 'century ride', distanceKm: 160 } };
    }
    if (km !== null && km >= 5 && km <= 400) {
      return { kind: 'endurance', sport, event: { name: `${km} km ride`, distanceKm: km } };
    }
    return { kind: 'endurance', sport, event: null };
  }
  if (km !== null && km >= 0.1 && km <= 25) {
    return { kind: 'endurance', sport, event: { name: `${km * 1000} m swim`, distanceKm: km } };
  }
  return { kind: 'endurance', sport, event: null };
}

function writingOf(text: string): GoalFamily | null {
  const form: WritingForm | null =
    /\b(novel|novella|nanowrimo|memoir)\b|\bwrit\w* (a |my |the )?(book|fiction)\b/.test(text)
      ? 'novel'
      : /\b(blog|newsletter|articles?|posts?|substack)\b/.test(text)
        ? 'blog'
        : /\b(thesis|dissertation|paper|manuscript)\b/.test(text)
          ? 'thesis'
          : /\b(writ(e|ing)|story|stories|poems?|poetry|screenplay|essays?)\b/.test(text)
            ? 'general'
            : null;
  if (!form) return null;
  const thousands = numberIn(text, /\b(\d+(?:[.,]\d+)?)\s?k(?:\s|-)?words?\b/);
  const plain = text.match(/\b(\d{1,3}(?:,\d{3})+|\d{3,7})\s?words?\b/)?.[1];
  const targetWords =
    thousands !== null
      ? Math.round(thousands * 1000)
      : plain
        ? Number.parseInt(plain.replace(/,/g, ''), 10)
        : null;
  return { kind: 'writing', form, targetWords };
}

/** The goal with its leading verb phrase removed: "Learn to juggle" → "juggling"-ready "juggle". */
export function topicOf(goal: string): string {
  const topic = goal
    .trim()
    .replace(/[.!?]+$/, '')
    .replace(
      /^(i want to |i'd like to |i would like to |help me |how to )?(learn (how )?to |learn |get better at |improve (my |at )?|master |become (a |an )?|start |begin |practise |practice |get into |understand |study )/i,
      '',
    )
    .trim();
  const words = (topic || goal).split(/\s+/);
  let short = '';
  for (const word of words) {
    if (short.length + word.length + 1 > 60) break;
    short = short ? `${short} ${word}` : word;
  }
  return short || goal.slice(0, 60);
}

/**
 * Recognises the kind of goal from its text and notes, by keywords, most specific first:
 * exams (GRE, IELTS, bar, "exam"…), endurance events (5k to marathon, rides, swims,
 * triathlons), weight loss, strength and fitness, programming and data, languages, music,
 * writing; anything else is `generic`.
 *
 * @example
 * detectGoalFamily('Run a half marathon in 10 weeks');
 * // { kind: 'endurance', sport: 'run', event: { name: 'half marathon', distanceKm: 21.1 } }
 */
export function detectGoalFamily(goal: string, notes?: string): GoalFamily {
  const text = goal.toLowerCase();
  const all = `${text} ${(notes ?? '').toLowerCase()}`;

  // Exam names are matched on the original text: "SAT" and "ACT" only in capitals.
  for (const { pattern, profile } of EXAMS) {
    if (pattern.test(goal)) return { kind: 'exam', exam: profile };
  }
  if (/\b(exams?|finals|certifications?|certified|midterms?|boards|test prep)\b/.test(text)) {
    return { kind: 'exam', exam: GENERIC_EXAM };
  }

  if (
    /\b(lose|losing|drop|shed)\b.*\b(weight|kg|kilos?|lbs?|pounds|fat)\b|\bweight[- ]loss\b|\bfat[- ]loss\b|\bslim down\b|\bburn fat\b/.test(
      text,
    )
  ) {
    const kg = numberIn(text, /\b(\d+(?:[.,]\d+)?)\s?(?:kg|kilos?|kilograms?)\b/);
    const lbs = numberIn(text, /\b(\d+(?:[.,]\d+)?)\s?(?:lbs?|pounds)\b/);
    const targetKg = kg ?? (lbs === null ? null : Math.round((lbs / 2.205) * 10) / 10);
    return { kind: 'weight-loss', targetKg };
  }

  const endurance = enduranceOf(text);
  if (endurance) return endurance;

  const strengthFocus = text.match(
    /\b(pull[- ]?ups?|chin[- ]?ups?|push[- ]?ups?|squats?|deadlifts?|bench( press)?|overhead press|dips|handstand)\b/,
  );
  if (
    strengthFocus ||
    /\b(strength|stronger|muscles?|gym|lift(ing)?|weightlifting|calisthenics|fitness|get fit|fit again|workouts?|bodyweight|tone up)\b/.test(
      text,
    )
  ) {
    return { kind: 'strength', focus: strengthFocus?.[1] ?? null };
  }

  const language = PROGRAMMING_LANGUAGES.find(([pattern]) => pattern.test(text))?.[1] ?? null;
  const track: ProgrammingTrack | null =
    /\b(machine learning|ml|deep learning|neural|ai models?|llms?)\b/.test(text)
      ? 'ml'
      : /\b(data (science|analysis|analytics|engineering)|pandas|numpy|data analyst|statistics|spreadsheets?|microsoft excel|excel (formulas|skills)|dashboards?|tableau|power bi)\b/.test(
            text,
          )
        ? 'data'
        : /\b(leetcode|algorithms?|data structures|coding interviews?|technical interviews?|competitive programming)\b/.test(
              text,
            )
          ? 'algorithms'
          : /\b(web (development|dev|apps?|design)|frontend|front-end|backend|back-end|full[- ]?stack|react|vue|angular|svelte|html|css|websites?)\b/.test(
                text,
              )
            ? 'web'
            : language === 'SQL'
              ? 'sql'
              : language || /\b(programming|coding|software|developer|app development)\b/.test(text)
                ? 'general'
                : null;
  if (track) return { kind: 'programming', track, language };

  const spoken = LANGUAGES.find((name) => new RegExp(`\\b${name}\\b`).test(text));
  if (
    spoken ||
    /\b(language|fluent|fluency|vocabulary|conversational|speak(ing)? (a|the) language)\b/.test(
      text,
    )
  ) {
    const name = spoken ?? null;
    return {
      kind: 'language',
      language:
        name && name !== 'chinese' ? name[0]!.toUpperCase() + name.slice(1) : name && 'Mandarin',
    };
  }

  const instrument = INSTRUMENTS.find((name) => new RegExp(`\\b${name}\\b`).test(text));
  if (
    instrument ||
    /\b(instrument|music|sing|songs?|chords|scales|band|compose|composing)\b/.test(text)
  ) {
    const name = instrument === 'voice' ? 'singing' : (instrument ?? null);
    return { kind: 'music', instrument: name };
  }

  const writing = writingOf(text) ?? (/\bwrit(e|ing)\b/.test(all) ? writingOf(all) : null);
  if (writing) return writing;

  return { kind: 'generic', topic: topicOf(goal) };
}
