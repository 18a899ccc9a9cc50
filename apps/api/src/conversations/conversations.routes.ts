import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CONVERSATION_STATUSES, findAgent, removeAssignees, updateConversation } from '@replyflow/db'
import Type from 'typebox'
import { createAgentAnswer } from '../answers/agent-answer.service.ts'
import { principalOf } from '../auth/access.ts'
import type { AppDeps } from '../deps.ts'
import { ApiError, forbidden } from '../errors.ts'
import { handOver } from '../mail/hand-over.ts'
import { mailIdentity, offlineEmailSettings } from '../mail/mail-identity.ts'
import { DEFAULT_PAGE_SIZE, errorResponses, IdParams, Items, NotBlank, Nullable, PageQuery } from '../schemas.ts'
import { AgentIdsBody, ConversationSchema, MessageSchema } from './conversations.schemas.ts'
import { assign, conversationJson, getConversation, messagesOf, pageOfConversations } from './conversations.service.ts'

const tags = ['conversations']
const Status = Type.Enum(CONVERSATION_STATUSES)

/** `conversations`: the inbox. Every logged-in user. */
export const conversationRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/conversations',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'List conversations, most recently active first',
        querystring: Type.Object(
          {
            status: Type.Optional(Status),
            /** An agent id, `me` for the caller's own agent, or `none` for unassigned conversations. */
            assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            ...PageQuery,
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(ConversationSchema), nextCursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => {
      const { assignee, limit = DEFAULT_PAGE_SIZE, ...filters } = request.query
      let assigneeId: string | null | undefined = assignee === 'none' ? null : assignee
      if (assignee === 'me') {
        const agentId = principalOf(request).agentId
        if (!agentId) throw new ApiError(422, 'API_NOT_AN_AGENT', 'assignee=me needs a login linked to an agent')
        assigneeId = agentId
      }
      return pageOfConversations(deps.db, { ...filters, limit, assigneeId })
    },
  )

  app.get(
    '/conversations/:id',
    { config: { access: 'user' }, schema: { tags, summary: 'Get a conversation', params: IdParams, response: { 200: ConversationSchema, ...errorResponses } } },
    async (request) => conversationJson(deps.db, getConversation(deps.db, request.params.id)),
  )

  app.patch(
    '/conversations/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Close or reopen a conversation',
        params: IdParams,
        body: Type.Object({ status: Status }, { additionalProperties: false }),
        response: { 200: ConversationSchema, ...errorResponses },
      },
    },
    async (request) =>
      deps.db.transaction((tx) => {
        getConversation(tx, request.params.id)
        updateConversation(tx, request.params.id, { status: request.body.status, updatedAt: new Date(deps.now()).toISOString() })
        return conversationJson(tx, getConversation(tx, request.params.id))
      }),
  )

  app.get(
    '/conversations/:id/messages',
    { config: { access: 'user' }, schema: { tags, summary: "A conversation's messages, oldest first", params: IdParams, response: { 200: Items(MessageSchema), ...errorResponses } } },
    async (request) => ({ items: messagesOf(deps.db, request.params.id) }),
  )

  app.post(
    '/conversations/:id/messages',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: "Answer the customer; delivered on the channel of the customer's last message",
        description:
          'Agents answer as themselves; admins may name the answering agent with `agentId`. An answer that would reach nobody (an SMS conversation: no SMS provider is configured; a customer without an e-mail address) is refused with 422 `API_CUSTOMER_UNREACHABLE` and not stored.',
        params: IdParams,
        body: Type.Object(
          { content: NotBlank(100_000), agentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: { 201: MessageSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const agentId = request.body.agentId ?? principal.agentId
      if (!agentId) throw new ApiError(422, 'API_AGENT_REQUIRED', 'name the answering agent with agentId (your login is not linked to an agent)')
      if (principal.user.role !== 'admin' && agentId !== principal.agentId) throw forbidden('agents answer as themselves')
      const identity = mailIdentity(deps)
      const settings = offlineEmailSettings(deps)
      const outcome = deps.db.transaction((tx) => {
        const conversation = getConversation(tx, request.params.id)
        const agent = findAgent(tx, agentId)
        if (!agent) throw new ApiError(422, 'API_AGENT_NOT_FOUND', `no agent "${agentId}"`)
        return createAgentAnswer(tx, identity, settings, { conversation, agent, content: request.body.content, refuseUnreachable: true, now: deps.now() })
      })
      await handOver(deps, { deliveryIds: outcome.deliveryIds })
      const message = messagesOf(deps.db, request.params.id).find((item) => item.id === outcome.messageId)
      if (!message) throw new Error(`answer ${outcome.messageId} not found after commit`)
      return reply.status(201).send(message)
    },
  )

  app.post(
    '/conversations/:id/assign',
    {
      config: { access: 'user' },
      schema: { tags, summary: 'Assign agents to a conversation', params: IdParams, body: AgentIdsBody, response: { 200: ConversationSchema, ...errorResponses } },
    },
    async (request) => assign(deps, request.params.id, request.body.agentIds),
  )

  app.post(
    '/conversations/:id/unassign',
    {
      config: { access: 'user' },
      schema: { tags, summary: 'Unassign agents from a conversation', params: IdParams, body: AgentIdsBody, response: { 200: ConversationSchema, ...errorResponses } },
    },
    async (request) =>
      deps.db.transaction((tx) => {
        const conversation = getConversation(tx, request.params.id)
        removeAssignees(tx, conversation.id, request.body.agentIds)
        updateConversation(tx, conversation.id, { updatedAt: new Date(deps.now()).toISOString() })
        return conversationJson(tx, conversation)
      }),
  )
}
