import type { TPlan, TPlanDay, TPlanTask, TPlanWeek } from './plan.schema.js';
import { planDate } from './plan-dates.js';
import type { TPlanRequestResolved } from './plan-request.schema.js';

type Level = TPlanRequestResolved['level'];
type Phase = 'foundations' | 'practice' | 'projects' | 'review';

const PHASE_LABELS: Record<Phase, string> = {
  foundations: 'Foundations',
  practice: 'Practice',
  projects: 'Projects',
  review: 'Review',
};

/** Share of the study days each phase gets, in order. */
const PHASE_SHARES: readonly [Phase, number][] = [
  ['foundations', 0.25],
  ['practice', 0.35],
  ['projects', 0.25],
  ['review', 0.15],
];

/** Which days of the week are worked: more for higher levels, day 7 always rests. */
const STUDY_DAYS: Record<Level, readonly number[]> = {
  beginner: [1, 2, 4, 5],
  intermediate: [1, 2, 3, 4, 5],
  advanced: [1, 2, 3, 4, 5, 6],
};

const LEVEL_HINTS: Record<Level, string> = {
  beginner: 'Go slowly and favour understanding over speed.',
  intermediate: 'Push past what you already know and note the gaps.',
  advanced: 'Aim for depth and real-world quality.',
};

interface TaskTemplate {
  title: (topic: string) => string;
  description: string;
  category: string;
}

const TEMPLATES: Record<Phase, readonly TaskTemplate[]> = {
  foundations: [
    {
      title: (t) => `Map out the core concepts of ${t}`,
      description: 'List the key ideas and pick a trusted resource to follow.',
      category: 'learning',
    },
    {
      title: (t) => `Study one fundamental of ${t}`,
      description: 'Work through one section of your resource and take short notes.',
      category: 'learning',
    },
    {
      title: (t) => `Try a first small exercise in ${t}`,
      description: 'Apply what you just studied to a tiny, concrete example.',
      category: 'practice',
    },
    {
      title: () => 'Summarise what you learned',
      description: 'Write a few lines on what clicked and what is still unclear.',
      category: 'review',
    },
  ],
  practice: [
    {
      title: (t) => `Do focused exercises on ${t}`,
      description: 'Pick exercises slightly above your comfort level.',
      category: 'practice',
    },
    {
      title: (t) => `Deepen one weak area of ${t}`,
      description: 'Revisit a topic you found hard and practise it again.',
      category: 'learning',
    },
    {
      title: (t) => `Timed practice session: ${t}`,
      description: 'Work without notes, then check your results.',
      category: 'practice',
    },
    {
      title: () => 'Log progress and mistakes',
      description: 'Record what went well and the mistakes to avoid next time.',
      category: 'review',
    },
  ],
  projects: [
    {
      title: (t) => `Plan a small project that uses ${t}`,
      description: 'Define a scope you can finish within this phase.',
      category: 'project',
    },
    {
      title: (t) => `Build the next part of your ${t} project`,
      description: 'Make steady progress on one piece of the project.',
      category: 'project',
    },
    {
      title: (t) => `Research a gap found while applying ${t}`,
      description: 'Look up what blocked you and note the answer.',
      category: 'learning',
    },
    {
      title: () => 'Share your work and collect feedback',
      description: 'Show the result to someone or compare it with a good example.',
      category: 'review',
    },
  ],
  review: [
    {
      title: (t) => `Review your notes on ${t}`,
      description: 'Reread your notes and highlight what you would teach someone else.',
      category: 'review',
    },
    {
      title: (t) => `Self-test on ${t}`,
      description: 'Test yourself on every phase of the plan and mark weak spots.',
      category: 'practice',
    },
    {
      title: () => 'Close remaining gaps',
      description: 'Spend this session on the weakest spot from your self-test.',
      category: 'learning',
    },
    {
      title: () => 'Plan your next steps',
      description: 'Decide how you will keep going after this plan ends.',
      category: 'review',
    },
  ],
};

/** The goal shortened to a topic that fits into task titles. */
function topicOf(goal: string): string {
  const words = goal
    .trim()
    .replace(/[.!?]+$/, '')
    .split(/\s+/);
  let topic = '';
  for (const word of words) {
    if (topic.length + word.length + 1 > 80) break;
    topic = topic ? `${topic} ${word}` : word;
  }
  return topic || goal.slice(0, 80);
}

function phaseOf(progress: number): Phase {
  let boundary = 0;
  for (const [phase, share] of PHASE_SHARES) {
    boundary += share;
    if (progress < boundary) return phase;
  }
  return 'review';
}

/** Splits a day's minutes into `count` efforts in 5-minute steps, largest first, within the cap. */
function splitMinutes(dailyMinutes: number, count: number): number[] {
  const base = Math.max(5, Math.floor(dailyMinutes / count / 5) * 5);
  const first = base + Math.floor((dailyMinutes - base * count) / 5) * 5;
  return [Math.min(720, first), ...Array.from({ length: count - 1 }, () => base)];
}

/**
 * Builds an honest, deterministic plan without any LLM, for deployments without an API key.
 * Study days move through foundations → practice → projects → review; beginners work 4 days a
 * week, intermediates 5, advanced 6; each day holds 1–3 tasks that together fill the daily
 * hours. The result passes `checkPlan` with no fixes.
 *
 * @example
 * buildOfflinePlan(resolvePlanRequest(ZPlanRequest.parse({ goal: 'Learn SQL' }), '2025-01-06'));
 */
export function buildOfflinePlan(request: TPlanRequestResolved): TPlan {
  const topic = topicOf(request.goal);
  const studyDays = STUDY_DAYS[request.level];
  const dailyMinutes = Math.floor(request.dailyHours * 60);
  const tasksPerDay = dailyMinutes < 30 ? 1 : dailyMinutes < 90 ? 2 : 3;
  const efforts = splitMinutes(dailyMinutes, tasksPerDay);
  const totalStudyDays = request.durationWeeks * studyDays.length;
  const templateCursor: Record<Phase, number> = {
    foundations: 0,
    practice: 0,
    projects: 0,
    review: 0,
  };

  const weeks: TPlanWeek[] = [];
  let studyIndex = 0;
  for (let week = 1; week <= request.durationWeeks; week++) {
    const phasesThisWeek: Phase[] = [];
    const days: TPlanDay[] = studyDays.map((day) => {
      const phase = phaseOf(studyIndex / totalStudyDays);
      studyIndex++;
      if (!phasesThisWeek.includes(phase)) phasesThisWeek.push(phase);
      const templates = TEMPLATES[phase];
      const tasks = efforts.map((effortMinutes): TPlanTask => {
        const template = templates[templateCursor[phase]++ % templates.length]!;
        return {
          title: template.title(topic),
          description: `${template.description} ${LEVEL_HINTS[request.level]}`,
          effortMinutes,
          category: template.category,
        };
      });
      return { day, date: planDate(request.startDate, week, day), tasks };
    });
    const theme = phasesThisWeek.map((phase) => PHASE_LABELS[phase]).join(' → ');
    weeks.push({ week, theme: `${theme}: ${topic}`.slice(0, 200), days });
  }

  const hours = request.dailyHours;
  return {
    title: `${request.durationWeeks}-week ${request.level} plan: ${topic}`.slice(0, 200),
    summary:
      `A heuristic plan made without an AI model: ${request.durationWeeks} week(s) from ` +
      `${request.startDate} to ${request.endDate}, ${studyDays.length} study days a week at ` +
      `${hours} h a day, moving from foundations through practice and projects to review.`,
    weeks,
  };
}
