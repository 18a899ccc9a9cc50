import { onBeforeUnmount, ref, watch, type Ref } from 'vue'

/**
 * The width of an element as laid out, kept current as it resizes (Infinity
 * until measured, or where ResizeObserver is missing). The element may come
 * and go (a `v-if`): it is measured whenever it is there.
 */
export function useElementWidth(element: Readonly<Ref<HTMLElement | null>>): Ref<number> {
  const width = ref(Infinity)
  const observer =
    typeof ResizeObserver === 'undefined'
      ? null
      : new ResizeObserver(([entry]) => {
          if (entry) width.value = entry.contentRect.width
        })
  watch(
    element,
    (next, previous) => {
      if (previous) observer?.unobserve(previous)
      if (next) observer?.observe(next)
    },
    { immediate: true, flush: 'post' },
  )
  onBeforeUnmount(() => observer?.disconnect())
  return width
}
