/*
 * Slugs typed in the admin, made exactly as the server makes them (articles/slugs.py, which uses translitua):
 * Ukrainian by the Cabinet of Ministers' table (resolution No. 55 of 27.01.2010), Russian by the
 * international passport scheme, then Django's slugify() and the same cut at a word boundary.
 *
 * Loaded after admin/js/urlify.js, it replaces the global URLify() that admin/js/prepopulate.js calls:
 * Django's own one reads Ukrainian as Russian ("Гомін" -> "gomin" instead of "homin").
 * Text that leaves nothing gives "" so that the server picks the slug (its fallback and numbering).
 */
'use strict';
(function(root) {
    const MAX_SLUG_LENGTH = 200;

    function withCapitals(table) {
        const full = Object.assign({}, table);
        for (const [letters, latin] of Object.entries(table)) {
            // Python's str.capitalize() on both sides, as translitua's add_uppercase() does.
            full[capitalize(letters)] = capitalize(latin);
        }
        return full;
    }

    function capitalize(text) {
        return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
    }

    function alternatives(table) {
        return Object.keys(table).join('|');
    }

    const UKRAINIAN = {
        letters: withCapitals({
            'а': 'a', 'б': 'b', 'в': 'v', 'г': 'h', 'ґ': 'g', 'д': 'd', 'е': 'e', 'є': 'ie', 'ж': 'zh', 'з': 'z',
            'и': 'y', 'і': 'i', 'ї': 'i', 'й': 'i', 'к': 'k', 'л': 'l', 'м': 'm', 'н': 'n', 'о': 'o', 'п': 'p',
            'р': 'r', 'с': 's', 'т': 't', 'у': 'u', 'ф': 'f', 'х': 'kh', 'ц': 'ts', 'ч': 'ch', 'ш': 'sh',
            'щ': 'shch', 'ю': 'iu', 'я': 'ia',
        }),
        // The soft sign and the apostrophe are not written; "зг" keeps its "h" apart from "ж" (Згорани -> Zghorany).
        dropped: /[ьЬ'\u2019\u02BC]/g,
        pairs: {'зг': 'zgh', 'ЗГ': 'ZGh', 'Зг': 'Zgh'},
        // Word-initial є, ї, й, ю, я: ye, yi, y, yu, ya. A "word" is Python's: letters, digits, underscore.
        initials: withCapitals({'є': 'ye', 'ї': 'yi', 'й': 'y', 'ю': 'yu', 'я': 'ya'}),
        initialPattern: /(?<![\p{L}\p{N}_])[єїйюяЄЇЙЮЯ]/gu,
    };

    const RUSSIAN = {
        letters: withCapitals({
            'а': 'a', 'б': 'b', 'в': 'v', 'г': 'g', 'д': 'd', 'е': 'e', 'ё': 'e', 'ж': 'zh', 'з': 'z', 'и': 'i',
            'й': 'y', 'к': 'k', 'л': 'l', 'м': 'm', 'н': 'n', 'о': 'o', 'п': 'p', 'р': 'r', 'с': 's', 'т': 't',
            'у': 'u', 'ф': 'f', 'х': 'kh', 'ц': 'ts', 'ч': 'ch', 'ш': 'sh', 'щ': 'shch', 'ъ': "'", 'ы': 'y',
            'ь': '', 'э': 'e', 'ю': 'yu', 'я': 'ya',
        }),
        dropped: null,
        pairs: withCapitals({'ье': "'ye", 'ьё': "'ye"}),
        initials: null,
        initialPattern: null,
    };

    for (const scheme of [UKRAINIAN, RUSSIAN]) {
        scheme.pairPattern = new RegExp(alternatives(scheme.pairs), 'g');
    }

    function transliterate(text, language) {
        const scheme = language === 'ru' ? RUSSIAN : UKRAINIAN;
        let result = String(text);
        if (scheme.dropped) {
            result = result.replace(scheme.dropped, '');
        }
        result = result.replace(scheme.pairPattern, (pair) => scheme.pairs[pair]);
        if (scheme.initialPattern) {
            result = result.replace(scheme.initialPattern, (letter) => scheme.initials[letter]);
        }
        return Array.from(result, (letter) => scheme.letters[letter] ?? letter).join('');
    }

    // Django's django.utils.text.slugify() without allow_unicode. Python's \s also matches \x1c-\x1f.
    function slugify(text) {
        const ascii = text.normalize('NFKD').replace(/[^\x00-\x7F]/g, '');
        const kept = ascii.toLowerCase().replace(/[^\w\s\x1c-\x1f-]/g, '');
        return kept.replace(/[-\s\x1c-\x1f]+/g, '-').replace(/^[-_]+|[-_]+$/g, '');
    }

    function asciiSlug(text, language, maxLength) {
        const limit = maxLength || MAX_SLUG_LENGTH;
        let slug = slugify(transliterate(text || '', language || 'uk'));
        if (slug.length > limit) {
            const cut = slug.slice(0, limit);
            const lastHyphen = cut.lastIndexOf('-');
            slug = (lastHyphen === -1 ? cut : cut.slice(0, lastHyphen)) || cut;
        }
        return slug;
    }

    function storyLanguage() {
        const select = root.document && root.document.getElementById('id_language');
        return (select && select.value) || 'uk';
    }

    function URLify(text, maxLength) {
        return asciiSlug(text, storyLanguage(), maxLength);
    }

    if (typeof module === 'object' && module.exports) {
        module.exports = {asciiSlug, transliterate, slugify, URLify};
        return;
    }
    root.URLify = URLify;
    // A new story's slug follows the language too, as long as nobody has typed into the slug field; and every
    // input, not only a key coming up (prepopulate.js listens to keyup): pasting with the mouse, dictation and
    // input methods type without one.
    root.addEventListener('DOMContentLoaded', function() {
        const select = root.document.getElementById('id_language');
        const headline = root.document.getElementById('id_headline');
        if (select && headline && root.django && root.django.jQuery) {
            const refresh = () => root.django.jQuery(headline).trigger('change');
            select.addEventListener('change', refresh);
            headline.addEventListener('input', refresh);
        }
    });
})(typeof window === 'undefined' ? globalThis : window);
