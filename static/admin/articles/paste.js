/*
 * Pasting into the story body: the clipboard's HTML goes through the server's cleaner (the one Story.save() uses,
 * articles/paste.py + nh3) before the editor sees it. Word and Google Docs mark lists, bold and spacing in ways
 * the editor would keep as text ("·    ремонт…"); the cleaner turns them into real lists and paragraphs.
 * Plain-text pastes, and any failure of the request, are left to the editor as usual.
 */
'use strict';
(function() {
    function csrfToken() {
        const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
        return input ? input.value : '';
    }

    function cleaned(url, html) {
        const body = new FormData();
        body.append('html', html);
        return fetch(url, {
            method: 'POST', body: body, credentials: 'same-origin', headers: {'X-CSRFToken': csrfToken()},
        }).then((response) => response.ok ? response.json() : Promise.reject(response.status));
    }

    document.addEventListener('paste', function(event) {
        const dom = event.target instanceof Element && event.target.closest('.ProseMirror[contenteditable]');
        const textarea = dom && dom.closest('.prose-editor') && dom.closest('.prose-editor').querySelector(
            'textarea[data-clean-paste-url]'
        );
        const html = event.clipboardData && event.clipboardData.getData('text/html');
        if (!textarea || !dom.editor || !html) {
            return;
        }
        event.preventDefault();
        event.stopPropagation();
        const editor = dom.editor;
        const text = event.clipboardData.getData('text/plain');
        cleaned(textarea.dataset.cleanPasteUrl, html)
            .then((result) => editor.chain().focus().insertContent(result.html).run())
            .catch(() => editor.chain().focus().insertContent(text).run());
    }, true);
})();
