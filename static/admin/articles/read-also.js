/*
 * "Insert «Read also» here": an inline read-also link is a row of the related links inline
 * (kind read_also, paragraph = the body block the cursor is in), never markup in the body.
 * The row is added with Django's own "Add another" link, so the admin saves it like any other row.
 */
'use strict';
(function() {
    let bodyEditor = null;
    let chosenStory = null;
    let paragraph = null;

    document.addEventListener('prose-editor:ready', function(event) {
        if (event.detail.textarea.id === 'id_body') {
            bodyEditor = event.detail.editor;
        }
    });

    // The number of the body block holding the cursor (1 = the first): the link is shown after it.
    function cursorParagraph(textarea) {
        if (bodyEditor) {
            const selection = bodyEditor.state.selection;
            return selection.$from.depth === 0 ? selection.$from.index(0) : selection.$from.index(0) + 1;
        }
        const body = new DOMParser().parseFromString(textarea.value, 'text/html').body;
        return body.children.length;
    }

    function field(prefix, index, name) {
        return document.getElementById('id_' + prefix + '-' + index + '-' + name);
    }

    function addRelatedLinkRow(prefix, link) {
        const group = document.getElementById(prefix + '-group');
        const total = document.getElementById('id_' + prefix + '-TOTAL_FORMS');
        const addLink = group && group.querySelector('.add-row a');
        if (!addLink || !total) {
            return false;
        }
        const index = total.value;
        addLink.click();
        field(prefix, index, 'kind').value = 'read_also';
        field(prefix, index, 'paragraph').value = String(link.paragraph);
        field(prefix, index, 'title').value = link.title;
        field(prefix, index, 'url').value = link.url;
        const target = field(prefix, index, 'target');
        if (link.story && target) {
            target.append(new Option(link.story.text, link.story.id, true, true));
            django.jQuery(target).trigger('change');
        }
        field(prefix, index, 'title').closest('tr, .inline-related').scrollIntoView({block: 'center'});
        return true;
    }

    function showResults(tool, results) {
        const list = tool.querySelector('[data-read-also-results]');
        list.replaceChildren();
        for (const story of results) {
            const item = document.createElement('li');
            const choose = document.createElement('button');
            choose.type = 'button';
            choose.className = 'button';
            choose.textContent = story.text;
            choose.setAttribute('aria-pressed', 'false');
            choose.addEventListener('click', function() {
                chosenStory = story;
                list.querySelectorAll('button').forEach((other) => other.setAttribute('aria-pressed', 'false'));
                choose.setAttribute('aria-pressed', 'true');
                tool.querySelector('[data-read-also-title]').value = story.text;
            });
            item.append(choose);
            list.append(item);
        }
    }

    function searchStories(tool, term) {
        const params = new URLSearchParams({
            term: term, app_label: 'articles', model_name: 'relatedlink', field_name: 'target',
        });
        fetch(tool.dataset.autocompleteUrl + '?' + params, {credentials: 'same-origin'})
            .then((response) => response.ok ? response.json() : {results: []})
            .then((data) => showResults(tool, data.results));
    }

    function openDialog(tool) {
        paragraph = cursorParagraph(document.getElementById('id_body'));
        chosenStory = null;
        tool.querySelectorAll('dialog input').forEach((input) => { input.value = ''; });
        tool.querySelector('[data-read-also-results]').replaceChildren();
        tool.querySelector('[data-read-also-dialog]').showModal();
    }

    function addLink(tool) {
        const title = tool.querySelector('[data-read-also-title]').value.trim();
        const url = tool.querySelector('[data-read-also-url]').value.trim();
        if (!title && !chosenStory) {
            tool.querySelector('[data-read-also-search]').focus();
            return;
        }
        tool.querySelector('[data-read-also-dialog]').close();
        addRelatedLinkRow(tool.dataset.inline, {
            paragraph: paragraph, title: title || chosenStory.text, url: url, story: chosenStory,
        });
    }

    function setUp(tool) {
        let pending = null;
        const dialog = tool.querySelector('[data-read-also-dialog]');
        const search = tool.querySelector('[data-read-also-search]');
        tool.querySelector('[data-read-also-open]').addEventListener('click', () => openDialog(tool));
        tool.querySelector('[data-read-also-add]').addEventListener('click', () => addLink(tool));
        tool.querySelector('[data-read-also-cancel]').addEventListener('click', () => dialog.close());
        search.addEventListener('input', function() {
            clearTimeout(pending);
            pending = setTimeout(() => searchStories(tool, search.value.trim()), 250);
        });
        // Enter in a dialog field would submit the whole story form around it.
        dialog.addEventListener('keydown', function(event) {
            if (event.key === 'Enter' && event.target.matches('input')) {
                event.preventDefault();
                if (event.target === search) {
                    searchStories(tool, search.value.trim());
                } else {
                    addLink(tool);
                }
            }
        });
    }

    document.addEventListener('DOMContentLoaded', function() {
        document.querySelectorAll('[data-read-also-tool]').forEach(setUp);
    });
})();
