// What the pages do in the browser beyond htmx, from this file rather than inline
// (the Content-Security-Policy allows no inline script): a "back" link goes back.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});

// A form with data-unsaved warns before the page is left with what was typed in it not
// yet sent (the browser's own "leave site?" prompt); sending the form itself does not warn.
let unsaved = null;
document.addEventListener("input", (event) => {
  const form = event.target.closest("form[data-unsaved]");
  if (form) unsaved = form;
});
document.addEventListener("submit", () => {
  unsaved = null;
});
window.addEventListener("beforeunload", (event) => {
  if (unsaved) {
    event.preventDefault();
    event.returnValue = unsaved.dataset.unsaved;
  }
});

// A button with data-confirm asks before it sends its form (delete a draft, withdraw).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
