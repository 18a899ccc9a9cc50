import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'

/** Limits on what one inbound mail may store (Mailgun's own cap is 25 MB a message). */
export const ATTACHMENT_LIMITS = { count: 20, fileBytes: 20 * 1024 * 1024, totalBytes: 30 * 1024 * 1024 } as const

/** A file written for an attachment row, `storagePath` relative to the attachments folder. */
export interface StoredFile {
  storagePath: string
}

/**
 * Writes one attachment's bytes under `dir`, named by its id (never by the
 * sender's filename), readable by this user only, as the database is.
 */
export async function writeAttachmentFile(dir: string, attachmentId: string, content: Buffer): Promise<StoredFile> {
  const storagePath = join(attachmentId.slice(0, 6), attachmentId)
  await mkdir(join(dir, attachmentId.slice(0, 6)), { recursive: true, mode: 0o700 })
  await writeFile(join(dir, storagePath), content, { flag: 'wx', mode: 0o600 })
  return { storagePath }
}

/** Removes files written for a mail whose transaction then failed. */
export async function removeAttachmentFiles(dir: string, files: readonly StoredFile[]): Promise<void> {
  await Promise.all(files.map((file) => rm(join(dir, file.storagePath), { force: true })))
}

/** The absolute path of a stored file, refusing anything that would leave `dir`. */
export function attachmentFilePath(dir: string, storagePath: string): string {
  const root = resolve(dir)
  const path = resolve(root, storagePath)
  if (!path.startsWith(root + sep)) throw new Error(`attachment path escapes its folder: ${storagePath}`)
  return path
}
