import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AGENT_STATUSES, listAgents } from '@replyflow/db'
import Type from 'typebox'
import { assertSession, principalOf } from '../auth/access.ts'
import type { AppDeps } from '../deps.ts'
import { forbidden } from '../errors.ts'
import { Email, errorResponses, IdParams, Items, Name, Nullable, trimName } from '../schemas.ts'
import { agentView, createAgent, getAgent, removeAgent, updateAgentFields, withSuppressions } from './agents.service.ts'

const tags = ['agents']
const Status = Type.Enum(AGENT_STATUSES)
/** A login password, as `auth/password` takes a new one. */
const Password = Type.String({ minLength: 8, maxLength: 1024 })
const Phone = Type.String({ minLength: 3, maxLength: 40, pattern: '^[+0-9 ()./-]+$' })

const AgentSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  phone: Nullable(Type.String()),
  status: Status,
  userId: Nullable(Type.String()),
  /** Set when mail to the agent's address is held back (hard bounce, complaint, unsubscribe): why, and since when. */
  suppression: Nullable(Type.Object({ reason: Type.String(), since: Type.String() })),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

/** `agents`: the team. Everyone logged in may list them and set their own status; admins manage them. */
export const agentRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/agents',
    { config: { access: 'user' }, schema: { tags, summary: 'List agents', response: { 200: Items(AgentSchema), ...errorResponses } } },
    async () => ({ items: withSuppressions(deps.db, listAgents(deps.db)) }),
  )

  app.post(
    '/agents',
    {
      preValidation: trimName,
      schema: {
        tags,
        summary: 'Add an agent; with a password, also a login for the inbox',
        body: Type.Object(
          {
            name: Name,
            email: Email,
            phone: Type.Optional(Nullable(Phone)),
            status: Type.Optional(Status),
            password: Type.Optional(Password),
          },
          { additionalProperties: false },
        ),
        response: { 201: AgentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      // A password makes a login: credentials, which an API key may not create.
      if (request.body.password !== undefined) assertSession(principalOf(request))
      return reply.status(201).send(agentView(deps.db, await createAgent(deps, request.body)))
    },
  )

  app.get(
    '/agents/:id',
    { config: { access: 'user' }, schema: { tags, summary: 'Get an agent', params: IdParams, response: { 200: AgentSchema, ...errorResponses } } },
    async (request) => agentView(deps.db, getAgent(deps.db, request.params.id)),
  )

  app.patch(
    '/agents/:id',
    {
      preValidation: trimName,
      schema: {
        tags,
        summary: "Change an agent; with a password, give them a login for the inbox or a new password",
        description:
          "The agent's own login follows a new `email` and `name`. `password` gives an agent without a login one (role `agent`), or sets a new password for theirs and ends its sessions; it needs a logged-in admin (an API key makes no credentials), and an admin's own login is never changed here (403). 409 `API_LOGIN_EMAIL_TAKEN` when another login has the e-mail.",
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            email: Type.Optional(Email),
            phone: Type.Optional(Nullable(Phone)),
            status: Type.Optional(Status),
            password: Type.Optional(Password),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: AgentSchema, ...errorResponses },
      },
    },
    async (request) => {
      // A password makes or changes a login: credentials, which an API key may not create.
      if (request.body.password !== undefined) assertSession(principalOf(request))
      return agentView(deps.db, await updateAgentFields(deps, request.params.id, request.body))
    },
  )

  app.put(
    '/agents/:id/status',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Set an agent online or offline (agents: their own status only)',
        params: IdParams,
        body: Type.Object({ status: Status }, { additionalProperties: false }),
        response: { 200: AgentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      if (principal.user.role !== 'admin' && principal.agentId !== request.params.id) throw forbidden('agents may only set their own status')
      return agentView(deps.db, await updateAgentFields(deps, request.params.id, { status: request.body.status }))
    },
  )

  app.delete(
    '/agents/:id',
    { schema: { tags, summary: "Remove an agent: their assignments go too, and so does their agent login with its sessions (an admin's login stays)", params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      removeAgent(deps, request.params.id)
      return reply.status(204).send(null)
    },
  )
}
