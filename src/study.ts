/**
 * The study entry of `disentangle` (`import ... from "disentangle/study"`, Node only): a
 * declarative grid of runs expanded from a study file, trained by a local worker pool or by
 * BullMQ workers over Redis, evaluated along the way, and aggregated into a report with rank
 * correlations between metrics (Locatello et al. 2019). A separate entry so that importing
 * `disentangle` does not load BullMQ and ioredis. The CLI's `disentangle study` is built on
 * exactly these functions.
 *
 * @module disentangle/study
 */

export { aggregateStudy, type RunRecord, type StudyResults } from "./study/aggregate.ts";
export { type Evaluation, expandStudy, type RunSpec, type Study } from "./study/expand.ts";
export {
  type LocalRunOptions,
  type LocalRunSummary,
  runStudyLocally,
} from "./study/local-runner.ts";
export { calibrate, readCalibration } from "./study/plan.ts";
export {
  deadLetterList,
  type EnqueueOptions,
  enqueueStudy,
  QUEUE_NAME,
  queueStatus,
  runQueueWorker,
  type WorkerOptions,
} from "./study/queue.ts";
export { rankCorrelationMatrix, spearman } from "./study/rank-correlation.ts";
export { loadStudyFile } from "./study/study-file.ts";
export { writeStudyReport } from "./study/write-report.ts";
