import type { TPlanTask } from '../plan.schema.js';
import type { ProgrammingTrack } from './detect-goal-family.js';
import {
  byLevel,
  cycle,
  type DraftDay,
  type DraftPlan,
  type DraftWeek,
  makeTask,
  type PlanContext,
  shareMinutes,
  spreadDays,
} from './draft-plan.js';

interface Track {
  name: (language: string) => string;
  topics: (language: string) => readonly string[];
  project: string;
}

const TRACKS: Record<ProgrammingTrack, Track> = {
  general: {
    name: (language) => language,
    topics: (language) => [
      `setting up ${language}: install, editor, run a first program`,
      'variables, types and expressions',
      'control flow: conditions and loops',
      'functions and scope',
      'collections: lists, maps and sets',
      'strings and text processing',
      'modules, packages and dependencies',
      'files, input/output and error handling',
      'modelling data with classes, structs or types',
      'testing your code',
      'calling an HTTP API',
      'debugging and reading other people’s code',
      'concurrency basics',
      'performance and profiling',
    ],
    project: 'a command-line tool that solves a problem you actually have',
  },
  data: {
    name: () => 'Data analysis',
    topics: (language) => [
      `${language === 'R' ? 'R' : 'Python'} setup: notebooks and a first analysis`,
      'core syntax: types, lists, dictionaries and loops',
      'functions and comprehensions',
      'NumPy arrays',
      'pandas: loading and inspecting data',
      'pandas: filtering, grouping and joining',
      'cleaning messy data',
      'visualisation with matplotlib and seaborn',
      'descriptive statistics',
      'probability and hypothesis tests',
      'SQL for analysts',
      'a first model with scikit-learn',
      'communicating results in a short report',
    ],
    project: 'an analysis of a public dataset, published as a notebook',
  },
  ml: {
    name: () => 'Machine learning',
    topics: () => [
      'Python and NumPy refresher',
      'linear algebra and calculus essentials',
      'linear and logistic regression',
      'train/validation/test splits and overfitting',
      'decision trees and ensembles',
      'feature engineering',
      'evaluation metrics',
      'neural network basics',
      'a first network in PyTorch',
      'convolutional networks and transformers, an overview',
      'experiment tracking and reproducibility',
      'serving a model behind an API',
    ],
    project: 'a model trained and evaluated on a real dataset, with a short write-up',
  },
  sql: {
    name: () => 'SQL',
    topics: () => [
      'SELECT, WHERE and ORDER BY',
      'aggregates and GROUP BY',
      'JOINs',
      'subqueries and CTEs',
      'window functions',
      'data modelling and normalisation',
      'indexes and query plans',
      'transactions and isolation',
      'INSERT, UPDATE and DELETE safely',
      'an analytics case study',
    ],
    project: 'ten business questions answered with queries on a sample database',
  },
  web: {
    name: () => 'Web development',
    topics: () => [
      'HTML structure and semantics',
      'CSS layout: flexbox and grid',
      'responsive design',
      'JavaScript basics',
      'the DOM and events',
      'fetching data from APIs',
      'a component framework such as React',
      'state and forms',
      'routing',
      'a small backend API',
      'deploying a site',
      'accessibility and performance',
    ],
    project: 'a small web app, deployed and shared',
  },
  algorithms: {
    name: () => 'Algorithms and coding interviews',
    topics: () => [
      'Big-O and arrays',
      'strings and hash maps',
      'two pointers and sliding windows',
      'stacks and queues',
      'linked lists',
      'binary search',
      'trees and traversals',
      'heaps and priority queues',
      'graphs: BFS and DFS',
      'backtracking',
      'dynamic programming, part 1',
      'dynamic programming, part 2',
    ],
    project: 'timed mock interviews on mixed problems',
  },
};

type Role = 'learn' | 'exercises' | 'deeper' | 'kata' | 'build' | 'review';

/** What each working day does in a week of one or two topics: a role and which topic. */
function weekRoles(days: number, topics: number): readonly [Role, number][] {
  if (topics === 1) {
    const roles: Role[] =
      days >= 6
        ? ['learn', 'exercises', 'deeper', 'kata', 'build', 'review']
        : ['learn', 'exercises', 'deeper', 'build', 'review'];
    return roles.map((role) => [role, 0]);
  }
  const roles: [Role, number][] = [
    ['learn', 0],
    ['exercises', 0],
    ['learn', 1],
    ['exercises', 1],
  ];
  if (days >= 6) roles.push(['build', 1]);
  roles.push(['review', 0]);
  return roles;
}

const SIDE = [
  [
    'Read someone else’s code',
    'Pick a small, well-known project and trace one feature end to end.',
  ],
  ['Flashcards: syntax and concepts', 'Five cards from today’s topic; review old ones.'],
  ['Notes: what you learned today', 'A few lines in your own words, with one code example.'],
  ['Refactor yesterday’s code', 'Rename, extract a function, remove duplication.'],
  ['Explain a concept out loud', 'As if to a colleague; gaps show up quickly.'],
  ['Type along a short tutorial', 'Type, do not paste; change one thing and see what breaks.'],
] as const;

const PROJECT_SIDE = [
  ['Write a short progress note', 'What works, what is next, what blocks you.'],
  [
    'Look up what blocked you',
    'Note the question and the answer; it becomes your own documentation.',
  ],
  ['Read the docs of a library you use', 'One page you have not read yet; note one thing to try.'],
  [
    'Review your own diff before committing',
    'Read it as a reviewer would: names, tests, leftovers.',
  ],
  ['Write down the next small step', 'Small enough to finish in one session.'],
  [
    'Show your progress to someone',
    'A friend, a forum or a study group; ask one specific question.',
  ],
] as const;

const PROJECT_STEPS = [
  'scope it and set up the repository',
  'build the core feature',
  'add the second feature',
  'handle errors and edge cases',
  'write tests',
  'refactor and document',
  'polish and publish',
  'demo it and write a retrospective',
];

function learningTask(role: Role, topic: string, minutes: number, week: number): TPlanTask {
  switch (role) {
    case 'learn':
      return makeTask(
        `Learn: ${topic}`,
        'learning',
        minutes,
        'Work through the official docs or a good tutorial; run every example.',
      );
    case 'exercises':
      return makeTask(
        `Exercises: ${topic}`,
        'practice',
        minutes,
        'Solve 3–5 small exercises without copying solutions; check them afterwards.',
      );
    case 'deeper':
      return makeTask(
        `Go deeper: ${topic}, edge cases and pitfalls`,
        'learning',
        minutes,
        'Read the reference section and try the cases that surprised you.',
      );
    case 'kata':
      return makeTask(
        `Kata: three timed problems using ${topic}`,
        'practice',
        minutes,
        '20 minutes each; compare with a good solution afterwards.',
      );
    case 'build':
      return makeTask(
        `Mini-project: use ${topic} in a small program`,
        'project',
        minutes,
        'Something you can finish today; commit it to a repository.',
      );
    case 'review':
      return makeTask(
        `Week ${week} review: re-solve one exercise from memory`,
        'review',
        minutes,
        'Then write down what is still shaky and put it first next week.',
      );
  }
}

/**
 * A programming plan for a track (general language, data analysis, machine learning, SQL, web,
 * algorithms): topic weeks with learn → exercises → deeper → mini-project → review days, then
 * project weeks building one capstone step by step. Intermediates skip the first quarter of
 * the topics and advanced learners the first 40%; they also spend more weeks on the project.
 */
export function buildProgrammingPlan(
  context: PlanContext,
  family: { track: ProgrammingTrack; language: string | null },
): DraftPlan {
  const { weeks, level, capMinutes } = context;
  const track = TRACKS[family.track];
  const language =
    family.language ??
    (family.track === 'data' || family.track === 'ml' ? 'Python' : 'your language');
  const allTopics = track.topics(language);
  const topics = allTopics.slice(Math.floor(allTopics.length * byLevel(level, [0, 0.25, 0.4])));
  const days = spreadDays(byLevel(level, [5, 5, 6]));
  const projectWeeks =
    weeks < 2 ? 0 : Math.max(1, Math.round(weeks * byLevel(level, [0.3, 0.4, 0.5])));
  const learningWeeks = weeks - projectWeeks;
  const perWeek = learningWeeks === 0 ? 0 : Math.min(2, Math.ceil(topics.length / learningWeeks));
  const parts = shareMinutes(capMinutes, capMinutes < 45 ? [1] : [3, 1]);
  const projectDays = projectWeeks * days.length;

  const draftWeeks: DraftWeek[] = [];
  let projectDay = 0;
  for (let week = 1; week <= weeks; week++) {
    let draftDays: DraftDay[];
    let theme: string;
    if (week <= learningWeeks) {
      const weekTopics = Array.from({ length: perWeek }, (_, i) =>
        cycle(topics, (week - 1) * perWeek + i),
      );
      theme = `Topics: ${weekTopics.join('; ')}`;
      const roles = weekRoles(days.length, weekTopics.length);
      draftDays = days.map((day, index) => {
        const [role, topicIndex] = roles[index] ?? ['review', 0];
        const tasks = [learningTask(role, weekTopics[topicIndex]!, parts[0]!, week)];
        if (parts[1]) {
          const [title, description] = cycle(SIDE, index + week);
          tasks.push(makeTask(title, 'practice', parts[1], description));
        }
        return { day, tasks };
      });
    } else {
      theme = `Project: ${track.project}`;
      draftDays = days.map((day) => {
        projectDay++;
        const step =
          PROJECT_STEPS[
            Math.min(
              PROJECT_STEPS.length - 1,
              Math.floor(((projectDay - 1) * PROJECT_STEPS.length) / projectDays),
            )
          ]!;
        const tasks = [
          makeTask(
            `Project day ${projectDay}: ${step}`,
            'project',
            parts[0]!,
            `Capstone: ${track.project}. Keep each session to one small, committed step.`,
          ),
        ];
        if (parts[1]) {
          const [title, description] = cycle(PROJECT_SIDE, projectDay);
          tasks.push(makeTask(title, 'review', parts[1], description));
        }
        return { day, tasks };
      });
    }
    draftWeeks.push({ theme, days: draftDays });
  }

  const covered = Math.min(topics.length, learningWeeks * perWeek);
  return {
    title: `${track.name(language)} in ${weeks} week(s) (${level})`,
    summary:
      `${days.length} days a week. ${learningWeeks} week(s) of topics (${covered} of them, from “${topics[0]}”), each worked through as learn → exercises → mini-project → review` +
      (projectWeeks > 0
        ? `, then ${projectWeeks} week(s) building one capstone: ${track.project}.`
        : '.') +
      (covered < topics.length
        ? ` Later topics (from “${topics[covered]}”) are left for after the plan.`
        : ''),
    weeks: draftWeeks,
  };
}
