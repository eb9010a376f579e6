// App-wide "go to" shortcuts: g then a (APIs), w (Webhooks) or d (guide); ? shows them all.
// Keys typed in a form field or while a dialog or the playground is open are left alone;
// the playground runs in an iframe, so keys typed inside it never reach this document.
(() => {
  const targets = { a: "/settings/apis", w: "/settings/webhooks", d: "/docs/api-and-webhooks" };
  const SEQUENCE_MS = 1500;
  let pressedG = 0;

  const isTyping = (element) =>
    element instanceof HTMLElement &&
    (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName));
  const isBlocked = () => document.querySelector(".overlay:not([hidden]), dialog[open]");

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (isTyping(event.target) || isBlocked()) {
      pressedG = 0;
      return;
    }
    if (Date.now() - pressedG < SEQUENCE_MS && targets[event.key]) {
      event.preventDefault();
      window.location.assign(targets[event.key]);
    } else if (event.key === "?") {
      event.preventDefault();
      document.getElementById("shortcuts-help")?.showModal();
    }
    pressedG = event.key === "g" ? Date.now() : 0;
  });
})();
