// What the pages do in the browser beyond htmx, from this file rather than inline
// (the Content-Security-Policy allows no inline script): a "back" link goes back.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
