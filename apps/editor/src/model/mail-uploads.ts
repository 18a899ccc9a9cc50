import type { MailUpload } from '../api/types.ts'

function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    // A data URL is the browser's own base64 encoder: `data:<type>;base64,<bytes>`.
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''))
    reader.onerror = () => reject(reader.error ?? new Error(`could not read ${file.name}`))
    reader.readAsDataURL(file)
  })
}

/** Files chosen in a file input, as the dev mailbox takes them along with a simulated mail. */
export async function mailUploads(files: readonly File[]): Promise<MailUpload[]> {
  return Promise.all(files.map(async (file) => ({ filename: file.name, ...(file.type ? { contentType: file.type } : {}), contentBase64: await base64Of(file) })))
}
