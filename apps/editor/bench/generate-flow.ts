import type { FlowDefinition, FlowEdge, FlowNode } from '@replyflow/flow'

/** A valid flow of `total` nodes: Get customer data, a fan of logic nodes, then lanes of Assign all agents into End. */
export function generateFlow(total: number): FlowDefinition {
  const nodes: FlowNode[] = []
  const edges: FlowEdge[] = []
  const at = (col: number, row: number) => ({ x: col * 260, y: row * 140 })
  const connect = (source: string, result: FlowEdge['result'], target: string) => edges.push({ id: `e${edges.length + 1}`, source, target, result })
  nodes.push({ id: 'start', type: 'start', position: at(0, 15.5), config: {} })
  nodes.push({ id: 'customer', type: 'get_customer_data', position: at(1, 15.5), config: { outputs: [{ variable: 'var_content', category: 'standard', field: 'message.content' }] } })
  connect('start', 'SUCCESS', 'customer')
  // A binary fan of logic nodes (1 + 2 + 4 + 8 + 16): SUCCESS and FALSE of each lead to the next layer.
  const place = (depth: number, i: number, width: number) => at(2 + depth, (i + 0.5) * (32 / width) - 0.5)
  let layer = ['logic_0_0']
  nodes.push({ id: 'logic_0_0', type: 'logic', position: place(0, 0, 1), config: { expression: 'var_content.size() > 0' } })
  connect('customer', 'SUCCESS', 'logic_0_0')
  for (let depth = 1; depth < 5; depth++) {
    const next: string[] = []
    layer.forEach((parent, i) => {
      for (const [branch, result] of [[0, 'SUCCESS'], [1, 'FALSE']] as const) {
        const index = 2 * i + branch
        const id = `logic_${depth}_${index}`
        nodes.push({ id, type: 'logic', position: place(depth, index, layer.length * 2), config: { expression: `var_content.size() > ${depth * 100 + index}` } })
        connect(parent, result, id)
        next.push(id)
      }
    })
    layer = next
  }
  // 16 leaves, each SUCCESS and FALSE into a lane of Assign all agents; every lane ends at End.
  const laneCount = layer.length * 2
  const laneNodes = total - nodes.length - 1
  const heads: string[] = []
  const tails: string[] = []
  for (let lane = 0; lane < laneCount; lane++) {
    const length = Math.floor(laneNodes / laneCount) + (lane < laneNodes % laneCount ? 1 : 0)
    let previous: string | null = null
    for (let step = 0; step < length; step++) {
      const id = `assign_${lane}_${step}`
      nodes.push({ id, type: 'assign_all_agents', position: at(7 + step, lane), config: {} })
      if (previous) connect(previous, 'SUCCESS', id)
      else heads.push(id)
      previous = id
    }
    if (previous) tails.push(previous)
  }
  layer.forEach((leaf, i) => {
    connect(leaf, 'SUCCESS', heads[2 * i] ?? 'end')
    connect(leaf, 'FALSE', heads[2 * i + 1] ?? 'end')
  })
  nodes.push({ id: 'end', type: 'end', position: at(8 + Math.ceil(laneNodes / laneCount), 15.5), config: {} })
  for (const tail of tails) connect(tail, 'SUCCESS', 'end')
  return { schemaVersion: 1, channel: 'email', nodes, edges }
}
