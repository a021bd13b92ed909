// Edits of a site's pipeline in the settings form: the stages run in list order, so moving
// one is the main edit. Each returns a new list.
import { stageToForm } from './settingsForm.js';

/** Moves the stage at index by delta places, staying within the list. */
export function moveStage(stages, index, delta) {
  const to = index + delta;
  if (to < 0 || to >= stages.length) return stages;
  const next = [...stages];
  const [stage] = next.splice(index, 1);
  next.splice(to, 0, stage);
  return next;
}

/** Removes the stage at index. */
export function removeStage(stages, index) {
  return stages.filter((_, i) => i !== index);
}

/** Appends a stage with default policies. */
export function addStage(stages, name) {
  return [...stages, stageToForm({ stage: name })];
}

/** Changes fields of the stage at index. */
export function changeStage(stages, index, change) {
  return stages.map((s, i) => (i === index ? { ...s, ...change } : s));
}

/** The known stages not in the pipeline yet, which may be added. */
export function availableStages(known, stages) {
  const used = new Set(stages.map((s) => s.stage));
  return known.filter((name) => !used.has(name));
}

/** A pipeline to start customising from: the built-in one, with its policies. */
export function customFrom(defaults) {
  return defaults.map((setting) => stageToForm(setting));
}
