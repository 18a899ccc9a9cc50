import sanitizeHtml from 'sanitize-html'

/** Options of {@link sanitiseMailHtml}. */
export interface SanitiseOptions {
  /** Our URL of the attachment an inline image's Content-Id (no brackets) names, or null to drop the image source. */
  resolveCid?: (contentId: string) => string | null
  /** Also drop the quoted history containers mail clients mark (for HTML Mailgun didn't strip). */
  dropQuotes?: boolean
}

/** Class names and ids of the elements in which Gmail, Outlook, Apple Mail, Yahoo and QQ Mail put quoted history. */
const QUOTE_CLASSES = ['gmail_quote', 'gmail_extra', 'yahoo_quoted', 'moz-cite-prefix', 'protonmail_quote']
const QUOTE_IDS = ['divRplyFwdMsg', 'appendonsend', 'original-content', 'isForwardContent', 'isReplyContent']

function isQuoteContainer(frame: sanitizeHtml.IFrame): boolean {
  if (frame.tag === 'blockquote' && frame.attribs.type === 'cite') return true
  const classes = (frame.attribs.class ?? '').split(/\s+/)
  return classes.some((name) => QUOTE_CLASSES.includes(name)) || QUOTE_IDS.includes(frame.attribs.id ?? '')
}

/**
 * Mail HTML made safe to show in the inbox: an allowlist of formatting tags,
 * no scripts, styles, event handlers or forms, links opening in a new tab
 * without referrer, and `cid:` images pointing at our authenticated attachment URL.
 */
export function sanitiseMailHtml(html: string, options: SanitiseOptions = {}): string {
  const { resolveCid, dropQuotes = false } = options
  // exclusiveFilter sees attributes after the allowlist, which drops `class`/`id`/`type`: drop quotes in a permissive first pass.
  const input = dropQuotes
    ? sanitizeHtml(html, { allowedTags: false, allowedAttributes: false, allowedSchemesAppliedToAttributes: [], allowVulnerableTags: true, exclusiveFilter: isQuoteContainer })
    : html
  return sanitizeHtml(input, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center'],
    allowedAttributes: {
      a: ['href', 'title', 'target', 'rel'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      td: ['colspan', 'rowspan', 'align', 'valign'],
      th: ['colspan', 'rowspan', 'align', 'valign'],
      font: ['color'],
      '*': ['dir', 'lang'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https', 'cid'] },
    allowProtocolRelative: false,
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer nofollow' } }),
      img: (tagName, attribs) => {
        const src = attribs.src ?? ''
        if (!/^cid:/i.test(src)) return { tagName, attribs }
        const url = resolveCid?.(src.slice(4).replace(/^<|>$/g, '')) ?? null
        const { src: _dropped, ...rest } = attribs
        return { tagName, attribs: url ? { ...rest, src: url } : rest }
      },
    },
  })
}
