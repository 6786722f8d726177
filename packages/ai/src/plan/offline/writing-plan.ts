import type { TPlanTask } from '../plan.schema.js';
import type { WritingForm } from './detect-goal-family.js';
import {
  byLevel,
  cycle,
  type DraftDay,
  type DraftPlan,
  type DraftWeek,
  finalDay,
  makeTask,
  type PlanContext,
  phaseOf,
  shareMinutes,
  spreadDays,
} from './draft-plan.js';
import { formatCount } from './format-metrics.js';

interface Phase {
  name: string;
  share: number;
  steps: readonly string[];
}

/** Planning and revision steps of each form; drafting sits between them. */
interface Form {
  label: string;
  /** What a draft is counted in, and its size in words by level. */
  unit: string;
  unitWords: readonly [number, number, number];
  defaultWords: readonly [number, number, number];
  before: Phase;
  after: Phase;
}

const FORMS: Record<WritingForm, Form> = {
  novel: {
    label: 'Novel',
    unit: 'chapter',
    unitWords: [2500, 3000, 4000],
    defaultWords: [30_000, 50_000, 80_000],
    before: {
      name: 'Plan the story',
      share: 0.12,
      steps: [
        'Premise in one paragraph: who wants what, and what stands in the way',
        'Main characters: goals, flaws and how they change',
        'Setting notes: the places and rules of your world',
        'Outline: the big turning points',
        'Scene list for the first act',
        'Read the opening chapters of two novels you admire',
      ],
    },
    after: {
      name: 'Revise',
      share: 0.2,
      steps: [
        'Read the whole draft and write a revision list',
        'Structural pass: fix plot holes and pacing',
        'Character pass: make every arc land',
        'Scene pass: cut or merge scenes that do not move the story',
        'Dialogue pass: read it aloud',
        'Line edit: tighten sentences, cut filler words',
        'Send the draft to two beta readers',
        'Work in the beta readers’ notes',
      ],
    },
  },
  thesis: {
    label: 'Thesis',
    unit: 'section',
    unitWords: [1500, 2000, 3000],
    defaultWords: [15_000, 30_000, 60_000],
    before: {
      name: 'Plan and read',
      share: 0.15,
      steps: [
        'Write the research question and the argument in one paragraph',
        'Chapter outline with target word counts',
        'Literature search: list the 20 key sources',
        'Read and annotate key sources',
        'Agree the outline with your supervisor',
        'Set up reference management and the document template',
      ],
    },
    after: {
      name: 'Revise and submit',
      share: 0.2,
      steps: [
        'Read the whole draft against the research question',
        'Revise structure and the argument’s flow',
        'Tighten the introduction and conclusion',
        'Check figures, tables and their captions',
        'Check references and citations',
        'Proofread and format to the guidelines',
        'Send to your supervisor and work in the feedback',
        'Final check and submission',
      ],
    },
  },
  blog: {
    label: 'Blog',
    unit: 'post',
    unitWords: [800, 1200, 1500],
    defaultWords: [6_000, 12_000, 20_000],
    before: {
      name: 'Set up',
      share: 0.1,
      steps: [
        'Define the audience and the topics you will cover',
        'Set up the blog or newsletter and its about page',
        'Brainstorm 20 post ideas and rank them',
        'Study three blogs you admire: structure, length, headlines',
      ],
    },
    after: {
      name: 'Edit and promote',
      share: 0.15,
      steps: [
        'Edit and publish the latest post',
        'Share your posts where your audience is',
        'Answer comments and note new post ideas',
        'Look at what was read most and plan the next month',
        'Plan a content calendar for the next month',
      ],
    },
  },
  general: {
    label: 'Writing',
    unit: 'piece',
    unitWords: [1000, 1500, 2000],
    defaultWords: [5_000, 10_000, 20_000],
    before: {
      name: 'Read and plan',
      share: 0.12,
      steps: [
        'Read three pieces in the form you want to write and note what works',
        'Collect ideas: ten possible pieces in one line each',
        'Pick the first piece and sketch its structure',
        'Set up a daily writing time and place',
      ],
    },
    after: {
      name: 'Revise and share',
      share: 0.2,
      steps: [
        'Reread everything you wrote and pick the best pieces',
        'Revise the best piece: structure first, then sentences',
        'Get feedback from a reader or a writing group',
        'Work in the feedback and polish',
        'Submit or publish one piece',
      ],
    },
  },
};

const SIDE = [
  'Plan tomorrow’s session in three lines',
  'Read something good in your genre for 20 minutes',
  'Keep a notes file: open questions, names, facts to check',
  'Free-write for ten minutes, no editing',
  'Collect one idea or line for later',
  'Copy out a paragraph you love and study its rhythm',
];

/**
 * A writing plan for a novel, a thesis, a blog or shorter pieces: a planning phase, drafting
 * sessions with a daily word target that adds up to the goal (or to what the daily time
 * allows, which the summary then says), a weekly read-back, and a revision phase at the end.
 */
export function buildWritingPlan(
  context: PlanContext,
  family: { form: WritingForm; targetWords: number | null },
): DraftPlan {
  const { weeks, level, capMinutes } = context;
  const form = FORMS[family.form];
  const days = spreadDays(byLevel(level, [5, 5, 6]));
  const parts = shareMinutes(capMinutes, capMinutes < 40 ? [1] : [4, 1]);
  const shares =
    weeks >= 3
      ? [form.before.share, 1 - form.before.share - form.after.share, form.after.share]
      : [0, 1, 0];
  const phaseOfWeek = (week: number) =>
    weeks < 3 ? 1 : week === 1 ? 0 : week === weeks ? 2 : phaseOf(week, weeks, shares);
  const draftingDays =
    Array.from({ length: weeks }, (_, i) => i + 1).filter((w) => phaseOfWeek(w) === 1).length *
    (days.length - 1);
  const wordsPerMinute = byLevel(level, [12, 15, 20]);
  const capacity = Math.floor((parts[0]! * wordsPerMinute) / 50) * 50;
  const target = family.targetWords ?? byLevel(level, form.defaultWords);
  const dailyWords = Math.max(
    50,
    Math.min(capacity, Math.ceil(target / Math.max(1, draftingDays) / 50) * 50),
  );
  const plannedWords = dailyWords * draftingDays;

  let beforeStep = 0;
  let afterStep = 0;
  let session = 0;
  const draftWeeks: DraftWeek[] = [];
  for (let week = 1; week <= weeks; week++) {
    const phase = phaseOfWeek(week);
    const draftDays: DraftDay[] = days.map((day, index) => {
      const tasks: TPlanTask[] = [];
      const last = index === days.length - 1;
      if (phase === 0) {
        tasks.push(
          makeTask(
            cycle(form.before.steps, beforeStep++),
            'planning',
            parts[0]!,
            'Keep it rough: this is for you, not for readers.',
          ),
        );
      } else if (phase === 2) {
        tasks.push(
          makeTask(
            cycle(form.after.steps, afterStep++),
            'revision',
            parts[0]!,
            'One pass, one concern: do not fix everything at once.',
          ),
        );
      } else if (last) {
        tasks.push(
          family.form === 'blog'
            ? makeTask(
                `Week ${week}: edit and publish`,
                'revision',
                parts[0]!,
                'Edit this week’s draft for clarity, add a headline and an image, publish it and share the link.',
              )
            : makeTask(
                `Week ${week} read-back`,
                'review',
                parts[0]!,
                'Skim this week’s pages and note what to fix later; do not edit yet. Adjust next week’s outline.',
              ),
        );
      } else {
        session++;
        const written = session * dailyWords;
        const unitNumber = Math.max(1, Math.ceil(written / byLevel(level, form.unitWords)));
        tasks.push(
          makeTask(
            `Drafting session ${session}: ${form.unit} ${unitNumber}`,
            'writing',
            parts[0]!,
            `Write forward without editing; about ${formatCount(written)} words in total after today.`,
            { words: dailyWords },
          ),
        );
      }
      if (parts[1])
        tasks.push(
          makeTask(
            cycle(SIDE, index + week),
            'writing',
            parts[1],
            'Small and daily: it keeps the work moving.',
          ),
        );
      return { day, tasks };
    });
    if (week === weeks) {
      draftDays.push(
        finalDay(
          `Milestone: ${family.form === 'thesis' ? 'submit the thesis' : family.form === 'blog' ? 'review the published posts' : 'finish the draft and share it'}`,
          'milestone',
          parts.reduce((sum, m) => sum + m, 0),
          'Look back at the whole plan: words written, what you learned, what comes next.',
        ),
      );
    }
    draftWeeks.push({
      theme: [
        form.before.name,
        `Draft: ${formatCount(dailyWords)} words a session`,
        form.after.name,
      ][phase]!,
      days: draftDays,
    });
  }

  const short = plannedWords < target;
  return {
    title: `${form.label} in ${weeks} week(s) (${level})`,
    summary:
      `${days.length} writing days a week: ${weeks >= 3 ? `${form.before.name.toLowerCase()}, then ` : ''}drafting ${formatCount(dailyWords)} words a session with ${family.form === 'blog' ? 'a post edited and published each week' : 'a weekly read-back'}` +
      `${weeks >= 3 ? `, then ${form.after.name.toLowerCase()}` : ''}. ` +
      (short
        ? `That is about ${formatCount(plannedWords)} words, less than the ${formatCount(target)} aimed for: your daily time allows about ${formatCount(capacity)} words a session, so plan more time or more weeks to finish.`
        : `That adds up to about ${formatCount(plannedWords)} words (target ${formatCount(target)}).`),
    weeks: draftWeeks,
  };
}
