import { existsSync } from 'node:fs'
import { closeDb, createDb } from '@replyflow/db'
import { resetPassword } from './auth/auth.service.ts'
import { loadConfig } from './config.ts'

// `pnpm reset-password <email>`: a lost admin password, reset on the server
// (whoever can run this can read the database anyway). Prints the new password once.
const email = process.argv[2]
if (!email || process.argv.length > 3) {
  console.error('usage: pnpm reset-password <email>   (the database is DATABASE_PATH, default $DATA_DIR/replyflow.db with DATA_DIR ./data)')
  process.exit(2)
}
const config = loadConfig()
if (!existsSync(config.databasePath)) {
  console.error(`no database at ${config.databasePath}: start Replyflow once first, or set DATA_DIR or DATABASE_PATH as for pnpm start`)
  process.exit(1)
}
const db = createDb(config.databasePath)
try {
  const reset = await resetPassword({ db, now: Date.now }, email)
  if (!reset) {
    console.error(`no user with the e-mail ${email}`)
    process.exitCode = 1
  } else {
    console.log(`new password for ${reset.email}: ${reset.password}`)
    console.log('(shown once; their sessions were ended. Log in and change it: POST /api/v1/auth/password, or in the editor)')
  }
} finally {
  closeDb(db)
}
