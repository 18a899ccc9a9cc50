import type { NodeType } from '@replyflow/flow'

/**
 * A readable node id that is not taken yet: the kind itself for the first node
 * of a kind (`start`, `end`), then `logic_2`, `logic_3`… Ids end up in run steps
 * and issue messages, so readable beats random.
 */
export function freshNodeId(type: NodeType, taken: ReadonlySet<string>): string {
  if (!taken.has(type)) return type
  for (let n = 2; ; n++) {
    const id = `${type}_${n}`
    if (!taken.has(id)) return id
  }
}

/** An edge id not taken yet: `e1`, `e2`… */
export function freshEdgeId(taken: ReadonlySet<string>): string {
  for (let n = taken.size + 1; ; n++) {
    const id = `e${n}`
    if (!taken.has(id)) return id
  }
}
