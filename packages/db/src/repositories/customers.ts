import { and, asc, eq, gt, like, or } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { customers } from '../schema.ts'

type CustomerRow = typeof customers.$inferSelect

/** The first customer with this phone number. */
export function findCustomerByPhone(db: DbOrTx, phone: string): CustomerRow | undefined {
  return db.select().from(customers).where(eq(customers.phone, phone)).orderBy(asc(customers.id)).get()
}

/** A page of customers by creation, optionally matching `query` in name, e-mail or phone. */
export function listCustomers(db: DbOrTx, options: { query?: string; cursor?: string; limit: number }): CustomerRow[] {
  const pattern = options.query ? `%${options.query.replace(/[%_\\]/g, '\\$&')}%` : undefined
  return db
    .select()
    .from(customers)
    .where(
      and(
        options.cursor ? gt(customers.id, options.cursor) : undefined,
        pattern ? or(like(customers.name, pattern), like(customers.email, pattern), like(customers.phone, pattern)) : undefined,
      ),
    )
    .orderBy(asc(customers.id))
    .limit(options.limit)
    .all()
}

/** Updates a customer's columns. */
export function updateCustomer(db: DbOrTx, id: string, patch: Partial<Omit<typeof customers.$inferInsert, 'id'>>): void {
  const email = patch.email === undefined ? {} : { email: patch.email?.toLowerCase() ?? null }
  db.update(customers)
    .set({ ...patch, ...email })
    .where(eq(customers.id, id))
    .run()
}
