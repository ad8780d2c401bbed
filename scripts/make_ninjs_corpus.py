"""Write COUNT invented Ukrainian ninjs 2.0 stories as JSON lines, for the import benchmark.

    .venv/bin/python scripts/make_ninjs_corpus.py 10000 /tmp/corpus.jsonl

Headlines and 3-6 paragraph bodies are built from word lists; each story has 2-5 subjects from a
pool of about 200, one or two authors from a pool of 50, a date within 2024-2025, and sentences
citing registered-looking sources in declined forms ("за даними Держстату"), so attribution
detection has work to do. A fixed seed makes every run write the same file.
"""

import json
import random
import sys
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path

SEED = 20240312
KYIV = timezone(timedelta(hours=2))
START = datetime(2024, 1, 1, 6, 0, tzinfo=KYIV)


def words(text):
    """Space-separated names; an underscore joins the words of one name."""
    return [name.replace("_", " ") for name in text.split()]


CITIES = words(
    "Київ Харків Одеса Дніпро Львів Запоріжжя Полтава Житомир Вінниця Чернігів Суми Черкаси Рівне Луцьк Ужгород "
    "Тернопіль Хмельницький Чернівці Кропивницький Миколаїв Херсон Івано-Франківськ Біла_Церква Кременчук Умань "
    "Бровари Ірпінь Буча Ізмаїл Мукачево Ковель Дрогобич Бердичів Ніжин Конотоп Шостка Олександрія Кам'янське "
    "Павлоград Нікополь Слов'янськ Краматорськ Шептицький Калуш Коломия Стрий Самбір Нововолинськ Сміла Фастів"
)
TOPICS = words(
    "Економіка Енергетика Освіта Медицина Транспорт Культура Спорт Екологія Бюджет Податки Інфляція Банки "
    "Будівництво Аграрії Зерно Експорт Імпорт Логістика Залізниця Авіація Дороги Мости Метро Тепло Водопостачання "
    "Електрика Газ Ціни Зарплати Пенсії Безробіття Ринок_праці Інвестиції Стартапи Цифровізація Кібербезпека "
    "Наука Університети Школи Дитсадки Лікарні Вакцинація Реабілітація Ветерани Волонтери Гуманітарна_допомога "
    "Відбудова Житло Комунальні_послуги Туризм Музеї Театри Кіно Література Футбол"
)
INSTITUTIONS = words(
    "Верховна_Рада Кабмін НБУ Мінфін Мінекономіки МОЗ МОН Укрзалізниця Укренерго Нафтогаз Укравтодор Держстат "
    "ДПС Митниця Антимонопольний_комітет НАБУ Рахункова_палата Мінрегіон Мінагрополітики Мінцифри Мінкульт "
    "ЄС МВФ Світовий_банк ЄБРР ООН ЮНІСЕФ НАТО Сейм_Польщі Бундестаг"
)
THEMES = [f"{topic} ({city})" for city in CITIES[:20] for topic in TOPICS[:5]]
TAG_POOL = sorted(set(CITIES + TOPICS + INSTITUTIONS + THEMES))[:200]
FIRST_NAMES = ["Олена", "Андрій", "Марія", "Тарас", "Ганна", "Остап", "Наталія", "Віктор", "Ірина", "Сергій"]
SURNAMES = ["Ткаченко", "Мельник", "Бондар", "Гнатюк", "Руденко", "Вовк", "Коваль", "Шевчук", "Кравець", "Литвин"]
AUTHOR_POOL = [f"{first} {last}" for first in FIRST_NAMES for last in SURNAMES][::2]
CITATIONS = [
    "повідомляє Укрінформ",
    "пише Суспільне",
    "за даними Reuters",
    "за даними Держстату",
    "як повідомили в НБУ",
    "пише Financial Times",
    "повідомляє Радіо Свобода",
    "за інформацією Укравтодору",
    "розповіли Суспільному",
    "як зазначає Reuters",
    "за оцінками НБУ",
    "повідомили в Держстаті",
    "передає Укрінформ",
]
SUBJECTS = [
    "депутати",
    "урядовці",
    "посадовці",
    "фахівці",
    "підрядники",
    "енергетики",
    "комунальники",
    "місцеві депутати",
    "представники громади",
    "члени виконкому",
]
VERBS = ["ухвалили", "оголосили", "запустили", "завершили", "розпочали", "погодили", "представили", "відклали"]
OBJECTS = [
    "нову програму ремонту доріг",
    "план відновлення мостів",
    "бюджет на наступний рік",
    "тендер на закупівлю автобусів",
    "проєкт сонячної електростанції",
    "реконструкцію лікарні",
    "будівництво укриття в школі",
    "модернізацію котелень",
    "нові тарифи на воду",
    "програму підтримки фермерів",
    "ремонт трамвайних колій",
    "оновлення мережі освітлення",
]
DETAILS = [
    "роботи мають завершити до кінця року",
    "вартість оцінюють у {n} млн гривень",
    "у проєкті візьмуть участь {n} підприємств",
    "перші результати очікують навесні",
    "мешканці зможуть подати свої пропозиції онлайн",
    "фінансування передбачене в місцевому бюджеті",
    "частину коштів надасть міжнародний партнер",
    "графік робіт оприлюднять найближчим часом",
    "для цього залучать {n} фахівців",
]


def sentence(rng, city):
    subject, verb, thing = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
    detail = rng.choice(DETAILS).format(n=rng.randint(5, 900))
    if rng.random() < 0.5:
        return f"У місті {city} {subject} {verb} {thing}, {rng.choice(CITATIONS)}. {detail.capitalize()}."
    return f"{subject.capitalize()} {verb} {thing}: {detail}."


def story(rng, number):
    city = rng.choice(CITIES)
    headline = f"{city}: {rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    paragraphs = [" ".join(sentence(rng, city) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(3, 6))]
    created = START + timedelta(seconds=rng.randrange(730 * 24 * 3600))
    updated = created + timedelta(minutes=rng.randrange(0, 600))
    return {
        "uri": f"urn:newsml:corpus.newsroom.example:{created:%Y%m%d}:{number}",
        "standard": {
            "name": "ninjs",
            "version": "2.0",
            "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json",
        },
        "type": "text",
        "firstcreated": created.isoformat(),
        "versioncreated": updated.isoformat(),
        "pubstatus": "usable",
        "language": "uk",
        "headlines": [{"role": "main", "value": headline}],
        "descriptions": [{"role": "main", "contenttype": "text/plain", "value": sentence(rng, city)}],
        "bodies": [
            {
                "role": "main",
                "contenttype": "text/html",
                "value": "".join(f"<p>{escape(text, quote=False)}</p>" for text in paragraphs),
            }
        ],
        "subjects": [{"name": name} for name in rng.sample(TAG_POOL, rng.randint(2, 5))],
        "people": [{"name": name, "rel": "author"} for name in rng.sample(AUTHOR_POOL, rng.randint(1, 2))],
    }


def main(count, outfile):
    rng = random.Random(SEED)  # noqa: S311 - reproducible sample text, not secrets
    with Path(outfile).open("w", encoding="utf-8") as out:
        for number in range(1, count + 1):
            out.write(json.dumps(story(rng, number), ensure_ascii=False) + "\n")
    print(f"wrote {count} ninjs stories to {outfile}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.exit("usage: make_ninjs_corpus.py COUNT OUTFILE")
    main(int(sys.argv[1]), sys.argv[2])
