import { access } from 'node:fs/promises'
import { findAttachment, type AttachmentRow } from '@replyflow/db'
import type { AppDeps } from '../deps.ts'
import { notFound } from '../errors.ts'
import { attachmentFilePath } from '../mail/attachment-store.ts'
import { attachmentsDir } from '../mail/mail-identity.ts'

/** An attachment's row and the path of its bytes on disk; 404 when either is gone. */
export async function findStoredAttachment(deps: Pick<AppDeps, 'db' | 'config'>, id: string): Promise<{ attachment: AttachmentRow; path: string }> {
  const attachment = findAttachment(deps.db, id)
  if (!attachment) throw notFound('attachment', id)
  const path = attachmentFilePath(attachmentsDir(deps.config), attachment.storagePath)
  await access(path).catch(() => {
    throw notFound('attachment', id)
  })
  return { attachment, path }
}
