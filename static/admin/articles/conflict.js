/*
 * The conflict panel's "Use the stored version": puts the other editor's stored value into the form field, so
 * merging is a click per field. The buttons stay hidden without this script; the values are shown either way.
 * The body goes through its rich-text editor, which otherwise keeps its own copy of the text.
 */
'use strict';
(function() {
    const editors = {};

    document.addEventListener('prose-editor:ready', function(event) {
        editors[event.detail.textarea.name] = event.detail.editor;
    });

    function useStored(button) {
        const name = button.dataset.useStored;
        const value = button.dataset.storedValue;
        const input = document.querySelector('#story_form [name="' + CSS.escape(name) + '"]');
        if (!input) {
            return;
        }
        if (editors[name]) {
            editors[name].commands.setContent(value);
        }
        input.value = value;
        input.dispatchEvent(new Event('change', {bubbles: true}));
        button.disabled = true;
        button.setAttribute('aria-pressed', 'true');
    }

    document.addEventListener('DOMContentLoaded', function() {
        document.querySelectorAll('[data-use-stored]').forEach(function(button) {
            button.hidden = false;
            button.addEventListener('click', () => useStored(button));
        });
    });
})();
