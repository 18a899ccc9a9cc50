import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  findCustomerByEmail,
  findCustomerById,
  insertCustomer,
  listCustomers,
  newId,
  updateCustomer,
  type CustomerRow,
  type DbOrTx,
} from '@replyflow/db'
import Type from 'typebox'
import type { AppDeps } from '../deps.ts'
import { conflict, notFound } from '../errors.ts'
import { CustomFieldsSchema } from '../runs/runs.schemas.ts'
import { DEFAULT_PAGE_SIZE, Email, errorResponses, IdParams, Nullable, Page, PageQuery } from '../schemas.ts'

const tags = ['customers']
const Phone = Type.String({ minLength: 3, maxLength: 40, pattern: '^[+0-9 ()./-]+$' })

const CustomerSchema = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  custom: CustomFieldsSchema,
  suppressedAt: Nullable(Type.String()),
  suppressionReason: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

const fields = {
  name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  email: Type.Optional(Nullable(Email)),
  phone: Type.Optional(Nullable(Phone)),
  /** The team's own fields; a PATCH replaces the whole map. */
  custom: Type.Optional(CustomFieldsSchema),
}

function getCustomer(db: DbOrTx, id: string): CustomerRow {
  const customer = findCustomerById(db, id)
  if (!customer) throw notFound('customer', id)
  return customer
}

function assertEmailFree(db: DbOrTx, email: string | null | undefined, id: string | null): void {
  if (!email) return
  const other = findCustomerByEmail(db, email)
  if (other && other.id !== id) throw conflict('API_CUSTOMER_EMAIL_TAKEN', `customer "${other.id}" already has e-mail ${email}`)
}

/** `customers`: standard and custom fields. Every logged-in user. */
export const customerRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/customers',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'List customers, optionally searching name, e-mail and phone',
        querystring: Type.Object({ q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), ...PageQuery }, { additionalProperties: false }),
        response: { 200: Page(CustomerSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { q, cursor, limit = DEFAULT_PAGE_SIZE } = request.query
      const rows = listCustomers(deps.db, { query: q, cursor, limit: limit + 1 })
      const items = rows.slice(0, limit)
      return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null }
    },
  )

  app.get(
    '/customers/:id',
    { config: { access: 'user' }, schema: { tags, summary: 'Get a customer', params: IdParams, response: { 200: CustomerSchema, ...errorResponses } } },
    async (request) => getCustomer(deps.db, request.params.id),
  )

  app.post(
    '/customers',
    {
      config: { access: 'user' },
      schema: { tags, summary: 'Add a customer', body: Type.Object(fields, { additionalProperties: false }), response: { 201: CustomerSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const customer = deps.db.transaction((tx) => {
        assertEmailFree(tx, request.body.email, null)
        const nowMs = deps.now()
        const now = new Date(nowMs).toISOString()
        const id = newId(nowMs)
        const { name = null, email = null, phone = null, custom = {} } = request.body
        insertCustomer(tx, { id, name, email, phone, custom, createdAt: now, updatedAt: now })
        return getCustomer(tx, id)
      })
      return reply.status(201).send(customer)
    },
  )

  app.patch(
    '/customers/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: "Change a customer's fields",
        params: IdParams,
        body: Type.Object(fields, { additionalProperties: false, minProperties: 1 }),
        response: { 200: CustomerSchema, ...errorResponses },
      },
    },
    async (request) =>
      deps.db.transaction((tx) => {
        getCustomer(tx, request.params.id)
        assertEmailFree(tx, request.body.email, request.params.id)
        updateCustomer(tx, request.params.id, { ...request.body, updatedAt: new Date(deps.now()).toISOString() })
        return getCustomer(tx, request.params.id)
      }),
  )
}
