import type { JobInfo, JobManager } from "../processes/jobs.js";
import { showControls } from "../sanitize.js";
import { jobEndedLine } from "../tools/background.js";

/**
 * The person sees a background job that ends on its own as soon as it does, as one line that
 * tools/background.ts words ("background job 2 `npm run dev` exited with code 1"). At the prompt
 * it goes above the prompt, and what is being typed is drawn again below it (`announce`). During a
 * turn the turn's own notices show it between output lines, when the loop hands it to the model;
 * one the turn never got to is shown when the turn ends. The model hears of every one either way
 * (JobManager.drainEnded).
 */
export function showEndedJobs(
  jobs: JobManager,
  options: { announce: (line: string) => void; dim: (text: string) => string; inTurn: () => boolean },
): { turnEnded(): void } {
  const endedInTurn: JobInfo[] = [];
  const show = (job: JobInfo) => options.announce(options.dim(showControls(jobEndedLine(job))));
  jobs.onEnded((job) => (options.inTurn() ? endedInTurn.push(job) : show(job)));
  return {
    turnEnded() {
      const unreported = jobs.unreported();
      for (const job of endedInTurn.splice(0)) if (unreported.includes(job.id)) show(job);
    },
  };
}
