import type { TPlanTask, TTaskMetrics } from '../plan.schema.js';

/** Only swims are slower than this (min/km); their pace reads per 100 m. */
const SWIM_PACE_FROM = 15;

/** `21.1`, `8`, `0.75`: at most two decimals, no trailing zeros. */
export function formatKm(km: number): string {
  return String(Math.round(km * 100) / 100);
}

/** A distance in metres below 1 km (`800 m`), in kilometres from there (`21.1 km`). */
export function formatDistance(km: number): string {
  return km < 1 ? `${Math.round(km * 1000)} m` : `${formatKm(km)} km`;
}

/** Minutes as `m:ss`, e.g. `6:30` for 6.5. */
export function formatPace(minutes: number): string {
  const total = Math.round(minutes * 60);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** `45 min`, `2 h`, `2 h 17 min`. */
export function formatDuration(minutes: number): string {
  const rounded = Math.round(minutes);
  const hours = Math.floor(rounded / 60);
  const rest = rounded % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** `50,000`. */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The pace of a run or ride (`6:30/km`) or a swim (`2:30/100 m`). */
export function formatPaceFor(minPerKm: number): string {
  return minPerKm >= SWIM_PACE_FROM
    ? `${formatPace(minPerKm / 10)}/100 m`
    : `${formatPace(minPerKm)}/km`;
}

/** The pieces of a metrics phrase, by slot, so each can be found and replaced in text. */
function fragments(metrics: TTaskMetrics): (string | undefined)[] {
  const { sets, reps, distanceKm, paceMinPerKm, speedKmh, questions, words, bpm } = metrics;
  let distance: string | undefined;
  if (distanceKm !== undefined) {
    distance =
      reps !== undefined && sets === undefined
        ? `${reps} × ${formatDistance(distanceKm / reps)}`
        : formatDistance(distanceKm);
  } else if (reps !== undefined && sets === undefined) {
    distance = `${reps} repeats`;
  }
  let pace: string | undefined;
  if (paceMinPerKm !== undefined) pace = `at ${formatPaceFor(paceMinPerKm)}`;
  else if (speedKmh !== undefined) pace = `at ~${Math.round(speedKmh)} km/h`;
  return [
    sets !== undefined && reps !== undefined ? `${sets} × ${reps}` : undefined,
    distance,
    pace,
    questions !== undefined ? `${questions} questions` : undefined,
    words !== undefined ? `${formatCount(words)} words` : undefined,
    bpm !== undefined ? `${bpm} bpm` : undefined,
  ];
}

/**
 * The metrics in words, as task descriptions start with them.
 *
 * @example
 * metricsPhrase({ distanceKm: 8, paceMinPerKm: 6.5 }); // '8 km at 6:30/km'
 * metricsPhrase({ reps: 6, distanceKm: 4.8, paceMinPerKm: 5.25 }); // '6 × 800 m at 5:15/km'
 * metricsPhrase({ sets: 3, reps: 8 }); // '3 × 8 reps'
 */
export function metricsPhrase(metrics: TTaskMetrics): string {
  const [setsReps, distance, pace, ...rest] = fragments(metrics);
  const parts = [
    setsReps && `${setsReps} reps`,
    [distance, pace].filter(Boolean).join(' ') || undefined,
    ...rest,
  ];
  return parts.filter(Boolean).join(', ');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A task with new metrics, its title and description restated to match: every metric
 * fragment of the old metrics found in the text ("16 km", "3 × 8", "40 questions") becomes the
 * new one. Text that does not mention the metrics is left alone.
 */
export function restateMetrics(task: TPlanTask, metrics: TTaskMetrics): TPlanTask {
  const before = fragments(task.metrics ?? {});
  const after = fragments(metrics);
  let { title, description } = task;
  before.forEach((old, slot) => {
    const next = after[slot];
    if (!old || !next || old === next) return;
    const pattern = new RegExp(`(?<![\\d.,])${escapeRegExp(old)}(?![\\d])`);
    title = title.replace(pattern, next);
    description = description.replace(pattern, next);
  });
  return { ...task, title, description, metrics };
}
