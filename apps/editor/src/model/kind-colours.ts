import type { NodeType } from '@replyflow/flow'

/** Accent colour of each node kind, shared by the palette, the canvas and the minimap. */
export const KIND_COLOURS: Record<NodeType, string> = {
  start: '#0f766e',
  get_customer_data: '#2563eb',
  logic: '#7c3aed',
  assign_all_agents: '#0891b2',
  message_conversion: '#db2777',
  end: '#334155',
}
