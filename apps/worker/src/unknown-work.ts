import { UNKNOWN_WORK_REASON } from '@replyflow/queue'
import { UnrecoverableError } from 'bullmq'

/**
 * A job whose run or delivery the API answers "not found" for. On a Redis
 * shared by two installs with the same QUEUE_PREFIX it is the other install's:
 * the worker fails it without retrying (this API will never know it) and
 * without reporting anything (that would write into the wrong database). The
 * reason starts with `UNKNOWN_WORK_REASON`, which the owner's dispatcher and
 * lease recovery read as "lost", so they hand the work over again: delayed,
 * never destroyed.
 */
export class UnknownWorkError extends UnrecoverableError {
  constructor(kind: 'run' | 'delivery', id: string) {
    super(`${UNKNOWN_WORK_REASON}: the API has no ${kind} "${id}"; left to the install that queued it (does another install share this Redis and QUEUE_PREFIX?)`)
  }
}
