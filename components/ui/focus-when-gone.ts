'use client'

/**
 * Once `item` has left the page (an answered invitation, a revoked row), focuses the first
 * element `pick` finds, so focus lands where the list continues instead of on the page body
 * (issue 14). It does nothing if the user has meanwhile put focus somewhere else, and gives up
 * after `timeoutMs` (the item stayed: the action failed, or the refresh did not come).
 */
export function focusWhenGone(item: Element, pick: () => HTMLElement | null | undefined, timeoutMs = 10_000) {
  const start = Date.now()
  const tick = () => {
    if (item.isConnected) {
      if (Date.now() - start < timeoutMs) setTimeout(tick, 50)
      return
    }
    const active = document.activeElement
    if (active && active !== document.body) return
    const target = pick()
    if (!target) return
    if (target.tabIndex < 0 && !target.hasAttribute('tabindex')) target.tabIndex = -1
    target.focus()
  }
  tick()
}

/** The first of these ids still on the page. */
export const firstPresent = (ids: string[]) => ids.map((id) => document.getElementById(id)).find(Boolean)
