"use strict";
// The suggestion buttons live inside the story's change form but belong to a form of their own (their `form`
// attribute names it): this adds that form, with the page's CSRF token, so a click posts just the suggestion.
document.addEventListener("DOMContentLoaded", () => {
  const panel = document.getElementById("story-suggestions");
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!panel || !token) {
    return;
  }
  const storyForm = panel.closest("form");
  let unsaved = false;
  if (storyForm) {
    storyForm.addEventListener("input", () => { unsaved = true; });
    storyForm.addEventListener("change", () => { unsaved = true; });
  }
  const form = document.createElement("form");
  form.id = panel.dataset.form;
  form.method = "post";
  form.hidden = true;
  form.append(token.cloneNode());
  form.addEventListener("submit", (event) => {
    if (unsaved && !window.confirm(panel.dataset.unsaved)) {
      event.preventDefault();
    }
  });
  document.body.append(form);
});
