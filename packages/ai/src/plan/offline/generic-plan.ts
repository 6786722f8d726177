import type { TPlanTask } from '../plan.schema.js';
import {
  byLevel,
  cycle,
  type DraftPlan,
  type DraftWeek,
  finalDay,
  makeTask,
  type PlanContext,
  phaseOf,
  shareMinutes,
  spreadDays,
} from './draft-plan.js';

interface Template {
  title: string;
  description: string;
  category: string;
}

const PHASES = ['Set up', 'Fundamentals', 'Apply', 'Consolidate'] as const;
/** Shares of the weeks after the first (which sets up) for the other three phases. */
const PHASE_SHARES = [0.45, 0.35, 0.2];

/** Main sessions of each phase, most important first. `{topic}` is the goal's topic. */
const MAIN: Record<(typeof PHASES)[number], readonly Template[]> = {
  'Set up': [
    {
      title: 'Write down what success looks like at the end',
      description:
        'Two or three concrete outcomes you can check: what you will be able to do, show or measure.',
      category: 'planning',
    },
    {
      title: 'Choose one main resource and one way to practise',
      description: 'A course, book, coach or club; map its chapters onto the weeks of this plan.',
      category: 'planning',
    },
    {
      title: 'Baseline attempt: try it once and note what is hard',
      description:
        'A small, real attempt; note the three things that were hardest. You will compare against it at the end.',
      category: 'practice',
    },
    {
      title: 'Break the skill into sub-skills',
      description:
        'List 5–8 parts you can practise separately and rank them by how much they hold you back.',
      category: 'planning',
    },
    {
      title: 'First focused session on the weakest sub-skill',
      description: 'Slow, deliberate repetitions; stop before you get sloppy.',
      category: 'practice',
    },
    {
      title: 'Find someone or something to give you feedback',
      description:
        'A teacher, a community, a recording of yourself, or an expert example to compare with.',
      category: 'planning',
    },
  ],
  Fundamentals: [
    {
      title: 'Learn one core building block from your resource',
      description: 'Study one section closely and try it right away.',
      category: 'learning',
    },
    {
      title: 'Deliberate practice: one sub-skill at the edge of your ability',
      description: 'Short, focused repetitions with full attention; correct one thing at a time.',
      category: 'practice',
    },
    {
      title: 'Drill the basics slowly, then at normal speed',
      description: 'Accuracy first; speed up only when it is clean.',
      category: 'practice',
    },
    {
      title: 'Learn the next building block',
      description: 'Move one step further in your resource and connect it to what you know.',
      category: 'learning',
    },
    {
      title: 'Practise from memory, without notes',
      description: 'Recall forces learning; check afterwards what you missed.',
      category: 'practice',
    },
    {
      title: 'Combine two sub-skills in one exercise',
      description: 'Put together things you have practised separately.',
      category: 'practice',
    },
  ],
  Apply: [
    {
      title: 'Apply it: a small end-to-end attempt',
      description: 'Use what you have learned on something real, start to finish.',
      category: 'project',
    },
    {
      title: 'Deliberate practice on your weakest sub-skill',
      description: 'Pick the item your log mentions most often and work only on that.',
      category: 'practice',
    },
    {
      title: 'Get feedback on your work',
      description:
        'Show it to someone who knows, or compare it side by side with an expert example.',
      category: 'review',
    },
    {
      title: 'Study an excellent example and borrow one technique',
      description: 'Work out why it works, then use that technique yourself.',
      category: 'learning',
    },
    {
      title: 'A harder variation of what you can already do',
      description: 'Raise the difficulty one notch: more speed, less help, or a new context.',
      category: 'practice',
    },
    {
      title: 'Improve your last attempt using the feedback',
      description: 'Redo the weakest part and compare the two versions.',
      category: 'project',
    },
  ],
  Consolidate: [
    {
      title: 'Mixed practice: everything in one session',
      description: 'Switch between sub-skills as you would in real use.',
      category: 'practice',
    },
    {
      title: 'Fix the most frequent mistake in your log',
      description: 'Isolate it, drill it, then try it again in context.',
      category: 'practice',
    },
    {
      title: 'Teach it: explain one part to someone else',
      description: 'Or write a short how-to; gaps show up quickly.',
      category: 'review',
    },
    {
      title: 'Rehearse the final milestone',
      description: 'A full dry run of what you will show at the end.',
      category: 'practice',
    },
    {
      title: 'Polish one piece of work you are proud of',
      description: 'Take something you made and bring it to its best.',
      category: 'project',
    },
    {
      title: 'Plan how you will keep going after this plan',
      description: 'Decide the routine, the next goal and how you will measure it.',
      category: 'planning',
    },
  ],
};

const SUPPORT: readonly Template[] = [
  {
    title: 'Log today’s practice',
    description: 'What you did, for how long, and one thing to fix next time.',
    category: 'review',
  },
  {
    title: 'Quick recall: yesterday’s key points',
    description: 'Write them from memory, then check.',
    category: 'review',
  },
  {
    title: 'Warm-up on the basics',
    description: 'A few easy repetitions of what you already know well.',
    category: 'practice',
  },
  {
    title: 'Read or watch one short lesson',
    description: 'From your main resource; note one idea to try.',
    category: 'learning',
  },
  {
    title: 'Review your notes and mark what is still unclear',
    description: 'Turn unclear points into questions for your next session.',
    category: 'review',
  },
  {
    title: 'Short practice from memory',
    description: 'Without looking anything up; check afterwards.',
    category: 'practice',
  },
  {
    title: 'Slow, careful repetition of one hard part',
    description: 'Half speed, full attention; stop when it gets sloppy.',
    category: 'practice',
  },
  {
    title: 'Write one question you want answered next',
    description: 'Look for the answer in your resource or ask someone.',
    category: 'learning',
  },
];

const LEVEL_HINTS = {
  beginner: 'Go slowly and favour understanding over speed.',
  intermediate: 'Push past what you already know and note the gaps.',
  advanced: 'Aim for depth and real-world quality.',
} as const;

function fill(template: Template, topic: string, minutes: number, hint: string): TPlanTask {
  return makeTask(
    template.title.replace('{topic}', topic),
    template.category,
    minutes,
    `${template.description} ${hint}`,
  );
}

/**
 * A plan for a goal the offline planner does not recognise: deliberate practice in four phases
 * (set up with a baseline, fundamentals, application with feedback, consolidation), a weekly
 * review on the last working day and a milestone on the plan's last day that compares against
 * the baseline. Beginners work 4 days a week, intermediates 5, advanced 6.
 */
export function buildGenericPlan(context: PlanContext, topic: string): DraftPlan {
  const { weeks, level, capMinutes } = context;
  const days = spreadDays(byLevel(level, [4, 5, 6]));
  const parts = shareMinutes(
    capMinutes,
    capMinutes < 30 ? [1] : capMinutes < 90 ? [2, 1] : [3, 2, 1],
  );
  const hint = LEVEL_HINTS[level];

  const draftWeeks: DraftWeek[] = [];
  for (let week = 1; week <= weeks; week++) {
    const phase =
      week === 1
        ? PHASES[0]
        : week === weeks && weeks >= 3
          ? PHASES[3]
          : PHASES[1 + phaseOf(week - 1, Math.max(1, weeks - 1), PHASE_SHARES)]!;
    const main = MAIN[phase];
    const weekDays = days.map((day, index) => {
      const last = index === days.length - 1;
      const tasks = parts.map((minutes, slot) => {
        if (slot === 0) return fill(cycle(main, index), topic, minutes, hint);
        if (slot === 1 && last) {
          return makeTask(
            'Weekly review: what improved, what to change',
            'review',
            minutes,
            'Read your practice log, pick next week’s focus and adjust the plan if needed.',
          );
        }
        return fill(
          cycle(SUPPORT, index * (parts.length - 1) + slot - 1 + week),
          topic,
          minutes,
          hint,
        );
      });
      return { day, tasks };
    });
    if (week === weeks) {
      weekDays.push(
        finalDay(
          'Milestone: repeat the baseline and compare',
          'milestone',
          parts.reduce((sum, m) => sum + m, 0),
          `Repeat your week-1 attempt at ${topic} and compare: what can you do now that you could not then?`,
        ),
      );
    }
    draftWeeks.push({ theme: `${phase}: ${topic}`, days: weekDays });
  }

  return {
    title: `${weeks}-week ${level} plan: ${topic}`,
    summary:
      `The offline planner did not recognise a specific kind of goal, so this is a general deliberate-practice plan: ` +
      `${days.length} days a week, moving from set-up and a baseline through fundamentals and application with feedback ` +
      'to consolidation, with a weekly review and a final milestone that compares against the baseline.',
    weeks: draftWeeks,
  };
}
