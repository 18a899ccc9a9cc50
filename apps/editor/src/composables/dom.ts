/** The value of the form control an event came from ('' if it came from something else). */
export function eventValue(event: Event): string {
  const target = event.target
  if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return target.value
  return ''
}

/** Whether the checkbox an event came from is checked. */
export function eventChecked(event: Event): boolean {
  return event.target instanceof HTMLInputElement && event.target.checked
}
