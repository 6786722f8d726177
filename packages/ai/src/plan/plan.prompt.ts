import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { StructuredOutputMode } from '../providers/provider-profiles.js';
import { weekdayName } from './plan-dates.js';
import type { TPlanRequestResolved } from './plan-request.schema.js';

export interface PlanPromptOptions {
  /** How the JSON is requested; json_object and prompted modes spell out the shape. */
  mode: StructuredOutputMode;
  /** 1 for the first request; later attempts come with `previousErrors`. */
  attempt?: number | undefined;
  /** What was wrong with the previous answer, shown to the model so it can correct itself. */
  previousErrors?: readonly string[] | undefined;
}

const MAX_ERRORS_SHOWN = 20;

const SHAPE = JSON.stringify({
  title: 'string',
  summary: 'string',
  weeks: [
    {
      week: 1,
      theme: 'string',
      days: [
        {
          day: 1,
          date: 'YYYY-MM-DD',
          tasks: [
            { title: 'string', description: 'string', effortMinutes: 30, category: 'learning' },
          ],
        },
      ],
    },
  ],
});

function systemPrompt(request: TPlanRequestResolved, mode: StructuredOutputMode): string {
  const capMinutes = Math.floor(request.dailyHours * 60);
  const long = request.durationWeeks > 12;
  const lines = [
    "You are Stepwise, a planning assistant that turns a person's goal into a realistic, dated plan of weeks, days and tasks.",
    '',
    'Rules:',
    mode === 'prompted'
      ? '- Answer with exactly one JSON object: no prose, no code fences, no comments.'
      : '- Answer with exactly one JSON object.',
    `- The plan has exactly ${request.durationWeeks} week(s), numbered 1 to ${request.durationWeeks} in order; every week has at least one task.`,
    '- Each week has a short theme and lists only the days the person works, in order; leave rest days out.',
    `- Days are numbered 1 to 7 within a week. Week 1 day 1 is ${request.startDate} (a ${weekdayName(request.startDate)}); week w day d falls on ${request.startDate} + (w-1)*7 + (d-1) days, so the last possible day is ${request.endDate}.`,
    `- The effortMinutes of one day add up to at most ${capMinutes} minutes (${request.dailyHours} h).`,
    '- Each task has a concrete, actionable title (under 100 characters), a one-sentence description, effortMinutes between 5 and 720, and a one-word lowercase category such as learning, practice, project or review.',
    `- Pitch the work at a ${request.level} level and build up week by week: foundations first, then practice, projects and a final review.`,
    `- Put the most important task of a day first.${long ? ' The plan is long: use at most 2 tasks per day and keep descriptions short.' : ''}`,
  ];
  if (mode !== 'json_schema') {
    lines.push('', 'The JSON object has exactly this shape (keys in this order):', SHAPE);
  }
  return lines.join('\n');
}

function userPrompt(request: TPlanRequestResolved): string {
  const lines = [
    `Goal: ${request.goal}`,
    `Duration: ${request.durationWeeks} week(s), from ${request.startDate} to ${request.endDate}`,
    `Time available: ${request.dailyHours} h per day`,
    `Level: ${request.level}`,
  ];
  if (request.notes) lines.push(`Notes from the person: ${request.notes}`);
  return lines.join('\n');
}

/**
 * The chat messages that ask for a plan. Pure: the same request and options always give the
 * same messages (see the snapshot tests). On a corrective attempt the previous errors are
 * appended so the model can fix them.
 *
 * @example
 * const messages = buildPlanMessages(request, { mode: 'json_schema' });
 * const retry = buildPlanMessages(request, { mode, attempt: 2, previousErrors: ['weeks.0.theme: Required'] });
 */
export function buildPlanMessages(
  request: TPlanRequestResolved,
  options: PlanPromptOptions,
): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: systemPrompt(request, options.mode) },
    { role: 'user', content: userPrompt(request) },
  ];
  const errors = options.previousErrors ?? [];
  if (errors.length > 0) {
    const shown = errors.slice(0, MAX_ERRORS_SHOWN).map((error) => `- ${error}`);
    if (errors.length > MAX_ERRORS_SHOWN) {
      shown.push(`- … and ${errors.length - MAX_ERRORS_SHOWN} more`);
    }
    messages.push({
      role: 'user',
      content: [
        `Attempt ${options.attempt ?? 2}: your previous answer could not be used:`,
        ...shown,
        'Answer again with the complete, corrected plan as one JSON object.',
      ].join('\n'),
    });
  }
  return messages;
}
