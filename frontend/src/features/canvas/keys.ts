/** Keys typed into a form field belong to the field, not to the canvas. The `closest` test
 * covers the expression editor's content element wherever `isContentEditable` is missing
 * (jsdom) or the event comes from a node inside it. */
export function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) ||
      target.closest('[contenteditable="true"]') !== null)
  )
}
