import type { TPlanTask } from '../plan.schema.js';
import {
  byLevel,
  cycle,
  type DraftDay,
  type DraftPlan,
  type DraftWeek,
  finalDay,
  type Level,
  makeTask,
  type PlanContext,
  shareMinutes,
  spreadDays,
} from './draft-plan.js';

interface InstrumentProfile {
  warmUp: string;
  techniques: Record<Level, readonly string[]>;
}

const FRETTED: InstrumentProfile = {
  warmUp: 'Chromatic finger exercise (1-2-3-4 on each string)',
  techniques: {
    beginner: [
      'open chords E, A and D',
      'changing between G, C and D',
      'strumming patterns in 4/4',
      'minor chords Am, Em and Dm',
      'reading tabs',
      'power chords',
      'the F barre chord',
      'a simple fingerpicking pattern',
    ],
    intermediate: [
      'barre chords across the neck',
      'pentatonic scale positions',
      'bends and vibrato',
      'fingerstyle arrangements',
      'triads up the neck',
      'Dorian and Mixolydian modes',
    ],
    advanced: [
      'hybrid and economy picking',
      'improvising over chord changes',
      'advanced fingerstyle',
      'speed bursts with alternate picking',
      'chord-melody arrangements',
    ],
  },
};

const INSTRUMENTS: Record<string, InstrumentProfile> = {
  guitar: FRETTED,
  bass: FRETTED,
  ukulele: FRETTED,
  banjo: FRETTED,
  mandolin: FRETTED,
  piano: {
    warmUp: 'Scales and arpeggios, hands together',
    techniques: {
      beginner: [
        'posture and the five-finger position',
        'the C major scale, hands separately',
        'reading treble and bass clef',
        'chords I, IV and V',
        'hands-together coordination',
        'left-hand accompaniment patterns',
        'G and F major scales',
        'sight-reading short pieces',
      ],
      intermediate: [
        'all major scales',
        'arpeggios',
        'pedalling',
        'chord inversions and voicings',
        'dynamics and phrasing',
        'sight-reading at grade 3–4',
      ],
      advanced: [
        'scales in thirds and sixths',
        'jazz voicings',
        'polyrhythms',
        'repertoire at performance tempo',
        'memorisation',
      ],
    },
  },
  drums: {
    warmUp: 'Rudiments on a practice pad: single and double strokes',
    techniques: {
      beginner: [
        'grip and single strokes',
        'the basic rock beat',
        'eighth-note hi-hat coordination',
        'double strokes',
        'simple fills',
        'paradiddles',
        'playing along to songs',
      ],
      intermediate: [
        'sixteenth-note grooves',
        'ghost notes',
        'fills around the kit',
        'shuffle and swing feels',
        'bass drum independence',
      ],
      advanced: [
        'linear grooves',
        'odd time signatures',
        'advanced rudiments',
        'soloing over vamps',
      ],
    },
  },
  violin: {
    warmUp: 'Open strings and a scale with a drone',
    techniques: {
      beginner: [
        'bow hold and straight bowing',
        'first-position fingers',
        'the D and A major scales',
        'string crossings',
        'intonation with a drone',
        'simple pieces with slurs',
      ],
      intermediate: [
        'third position and shifting',
        'vibrato',
        'spiccato',
        'double stops',
        'dynamics',
      ],
      advanced: [
        'high positions',
        'advanced bow strokes',
        'concerto passages',
        'expressive vibrato',
      ],
    },
  },
  singing: {
    warmUp: 'Breathing, lip trills and five-note scales',
    techniques: {
      beginner: [
        'breath support',
        'pitch matching',
        'vowel shapes',
        'extending your range',
        'singing a simple song in tune',
      ],
      intermediate: [
        'mix voice',
        'resonance',
        'dynamics and phrasing',
        'harmony singing',
        'performing with a backing track',
      ],
      advanced: [
        'agility runs',
        'style-specific techniques',
        'stamina for long sets',
        'interpretation',
      ],
    },
  },
  winds: {
    warmUp: 'Long tones and a scale',
    techniques: {
      beginner: [
        'breathing and embouchure',
        'the first five notes',
        'tonguing',
        'a major scale',
        'simple melodies',
        'dynamics',
      ],
      intermediate: [
        'the full range',
        'articulation patterns',
        'vibrato',
        'more keys',
        'ensemble pieces',
      ],
      advanced: [
        'altissimo or extended range',
        'fast articulation',
        'improvisation',
        'advanced repertoire',
      ],
    },
  },
};
INSTRUMENTS.keyboard = INSTRUMENTS.piano!;
INSTRUMENTS.viola = INSTRUMENTS.violin!;
INSTRUMENTS.cello = INSTRUMENTS.violin!;
for (const wind of ['saxophone', 'trumpet', 'flute', 'clarinet', 'harmonica']) {
  INSTRUMENTS[wind] = INSTRUMENTS.winds!;
}

const GENERIC: InstrumentProfile = {
  warmUp: 'Warm-up: scales or basic patterns',
  techniques: {
    beginner: [
      'posture and basic technique',
      'the first scale',
      'simple rhythms',
      'a first melody',
      'playing with a metronome',
    ],
    intermediate: [
      'more keys and scales',
      'dynamics and phrasing',
      'faster passages',
      'playing by ear',
    ],
    advanced: ['advanced technique', 'improvisation', 'performance repertoire', 'interpretation'],
  },
};

const SECTIONS = [
  'learn the first section slowly',
  'learn the next section',
  'join the sections',
  'play it through at 80% tempo',
  'full tempo with expression',
];

const MUSICIANSHIP = [
  'Ear training: intervals and simple melodies by ear',
  'Theory: the keys and chords of your pieces',
  'Rhythm: clap and count the tricky bars',
  'Listen actively to a recording of your piece',
];

/**
 * A music practice plan for an instrument (or singing): a metronome warm-up whose tempo rises
 * each week, a technique of the week from a level-specific progression, repertoire learned
 * section by section (a new piece every few weeks), ear training or theory, a weekly
 * recording to listen back to, and a performance on the plan's last day.
 */
export function buildMusicPlan(context: PlanContext, instrument: string | null): DraftPlan {
  const { weeks, level, capMinutes } = context;
  const profile = (instrument && INSTRUMENTS[instrument]) || GENERIC;
  const name = instrument ?? 'your instrument';
  const days = spreadDays(byLevel(level, [5, 6, 6]));
  const techniques = profile.techniques[level];
  const weeksPerPiece = byLevel(level, [4, 3, 2]);
  const pieces = Math.max(1, Math.floor(weeks / weeksPerPiece));
  const [startBpm, maxBpm] = byLevel(level, [
    [60, 120],
    [80, 140],
    [100, 180],
  ] as const);
  const parts = shareMinutes(
    capMinutes,
    capMinutes < 30 ? [1] : capMinutes < 60 ? [1, 2] : [1, 2, 3],
  );

  const draftWeeks: DraftWeek[] = [];
  for (let week = 1; week <= weeks; week++) {
    const technique = cycle(techniques, week - 1);
    const bpm = Math.min(maxBpm, startBpm + 4 * (week - 1));
    // The last piece also takes the weeks left over, so every piece gets finished.
    const piece = Math.min(pieces, Math.floor((week - 1) / weeksPerPiece) + 1);
    const pieceWeek = week - 1 - (piece - 1) * weeksPerPiece;
    const pieceWeeks = piece === pieces ? weeks - (pieces - 1) * weeksPerPiece : weeksPerPiece;
    const draftDays: DraftDay[] = days.map((day, index) => {
      const last = index === days.length - 1;
      if (last) {
        return {
          day,
          tasks: [
            makeTask(
              `Record piece ${piece} and listen back`,
              'review',
              parts.reduce((sum, m) => sum + m, 0),
              'Record a full take, listen with the score or chart, and note three things to fix next week.',
            ),
          ],
        };
      }
      const tasks: TPlanTask[] = [];
      const technical = makeTask(
        `Warm-up ${index + 1}: ${profile.warmUp.charAt(0).toLowerCase()}${profile.warmUp.slice(1)} at ${bpm} bpm`,
        'technique',
        parts[0]!,
        `With a metronome; only speed up when it is clean. Then: ${technique}.`,
        { bpm },
      );
      if (parts.length === 1) {
        tasks.push(index % 2 === 0 ? technical : repertoire());
        return { day, tasks };
      }
      tasks.push(repertoire(), technical);
      if (parts[2] !== undefined) {
        tasks.push(
          index % 2 === 0
            ? makeTask(
                `Technique session ${index / 2 + 1}: ${technique}`,
                'technique',
                parts[1]!,
                'Slow, focused repetitions; record one attempt.',
              )
            : makeTask(
                cycle(MUSICIANSHIP, index + week),
                'musicianship',
                parts[1]!,
                'Short and regular beats long and rare.',
              ),
        );
      }
      return { day, tasks };

      function repertoire(): TPlanTask {
        const practiceDays = days.length - 1;
        const session = pieceWeek * practiceDays + index;
        const section =
          SECTIONS[Math.floor((session * SECTIONS.length) / (pieceWeeks * practiceDays))] ??
          SECTIONS.at(-1)!;
        return makeTask(
          `Piece ${piece}, session ${session + 1}: ${section}`,
          'repertoire',
          parts.at(-1)!,
          `A ${byLevel(level, ['simple song or beginner piece', 'grade-appropriate piece', 'challenging piece'])} for ${name}; loop the hard bars slowly before playing through.`,
        );
      }
    });
    if (week === weeks) {
      draftDays.push(
        finalDay(
          'Performance: play your pieces for someone',
          'milestone',
          parts.reduce((sum, m) => sum + m, 0),
          'Or record a full performance video; compare with your first recording.',
        ),
      );
    }
    draftWeeks.push({ theme: `${technique}; piece ${piece}; ${bpm} bpm`, days: draftDays });
  }

  return {
    title: `${instrument ? instrument.charAt(0).toUpperCase() + instrument.slice(1) : 'Music'} practice in ${weeks} week(s) (${level})`,
    summary:
      `${days.length} practice days a week on ${name}: a metronome warm-up rising from ${startBpm} bpm by 4 bpm a week, ` +
      `a technique of the week, ${pieces} piece(s) learned section by section, ear training and theory, ` +
      'a weekly recording to listen back to, and a performance at the end.',
    weeks: draftWeeks,
  };
}
