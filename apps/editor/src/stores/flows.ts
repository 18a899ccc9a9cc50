import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { Channel, FlowTrigger } from '@replyflow/flow'
import { flowsApi } from '../api/endpoints.ts'
import type { Flow } from '../api/types.ts'

/** The flow list of the open channel, kept current as flows are created, published and activated. */
export const useFlowsStore = defineStore('flows', () => {
  const flows = shallowRef<Flow[]>([])
  const loadedChannel = shallowRef<Channel | null>(null)

  async function refresh(channel: Channel): Promise<void> {
    const answer = await flowsApi.list()
    flows.value = answer.items.filter((flow) => flow.channel === channel)
    loadedChannel.value = channel
  }

  /** Puts a flow's latest state in the list; another flow of the same trigger may have been disabled. */
  function upsert(flow: Flow): void {
    if (loadedChannel.value !== flow.channel) return
    const exists = flows.value.some((item) => item.id === flow.id)
    flows.value = exists ? flows.value.map((item) => (item.id === flow.id ? flow : item)) : [...flows.value, flow]
  }

  async function create(name: string, channel: Channel, trigger: FlowTrigger): Promise<Flow> {
    const flow = await flowsApi.create({ name, channel, trigger })
    upsert(flow)
    return flow
  }

  return { flows, loadedChannel, refresh, upsert, create }
})
