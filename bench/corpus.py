"""A synthetic corpus for the benchmark: claims.yaml, seeds/ and a copy of the site's configuration.

The sources are French news prose assembled from phrases, with the typography real sources have:
typographic apostrophes, « » with no-break spaces inside, U+00A0 or U+202F before : ; ! ?, narrow
no-break spaces as thousands separators, some files hard-wrapped, some bundling several articles.
Quotes are typed the way editors type them: some copied verbatim, some with straight apostrophes,
plain spaces or a line break where the source has something else, so the normalizer has to bridge
them; quotes that stand twice in their source carry `occurrence`.

Everything is drawn from one seeded random generator: the same seed gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import subprocess
import textwrap
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import yaml

from builder.render import MONTHS  # the site's French month names

PROJECT = Path(__file__).resolve().parent.parent

NBSP = "\u00a0"
NNBSP = "\u202f"

RATINGS = [
    {"id": "faux", "label": "Faux", "value": 1, "description": "L’affirmation est contredite par les sources."},
    {
        "id": "trompeur",
        "label": "Trompeur",
        "value": 2,
        "description": "Un élément exact, présenté d’une façon qui induit en erreur.",
    },
    {
        "id": "non-prouve",
        "label": "Non prouvé",
        "value": 3,
        "description": "Les sources ne permettent ni de confirmer ni d’infirmer l’affirmation.",
    },
    {
        "id": "plutot-vrai",
        "label": "Plutôt vrai",
        "value": 4,
        "description": "L’affirmation est exacte pour l’essentiel, avec des nuances.",
    },
    {"id": "vrai", "label": "Vrai", "value": 5, "description": "L’affirmation est confirmée par les sources."},
]
VERDICT_WEIGHTS = [30, 25, 20, 15, 10]
# Which stances an editor tends to cite for each verdict, so the corroboration matrix looks plausible.
STANCE_WEIGHTS = {
    "faux": [1, 6, 2],
    "trompeur": [2, 5, 2],
    "non-prouve": [3, 3, 3],
    "plutot-vrai": [5, 2, 2],
    "vrai": [6, 1, 2],
}
STANCES = ["supports", "contradicts", "context"]

# Topic id -> (label, noun phrases that the sentences about it talk about). Apostrophes are
# straight here: _typeset() gives each source its own typography.
TOPICS = {
    "economie": (
        "Économie",
        [
            "le déficit public",
            "la dette de l'État",
            "le pouvoir d'achat des ménages",
            "le taux de chômage",
            "la croissance du produit intérieur brut",
            "le prix de la baguette",
            "l'inflation sur un an",
            "le salaire minimum",
            "les faillites d'entreprises",
        ],
    ),
    "sante": (
        "Santé",
        [
            "le nombre de lits d'hôpital",
            "la vaccination contre la grippe",
            "les déserts médicaux",
            "le prix des médicaments",
            "les passages aux urgences",
            "l'espérance de vie à la naissance",
            "le nombre de médecins généralistes",
            "la consommation d'antibiotiques",
        ],
    ),
    "energie": (
        "Énergie",
        [
            "le prix de l'électricité",
            "la production des centrales nucléaires",
            "le prix du gazole",
            "les importations de gaz naturel",
            "la part des énergies renouvelables",
            "la facture de chauffage",
            "les éoliennes en mer",
        ],
    ),
    "climat": (
        "Climat",
        [
            "les émissions de gaz à effet de serre",
            "la température moyenne de l'été",
            "le niveau des nappes phréatiques",
            "la surface des forêts brûlées",
            "la fonte des glaciers alpins",
            "le nombre de jours de canicule",
        ],
    ),
    "immigration": (
        "Immigration",
        [
            "le nombre de demandes d'asile",
            "les titres de séjour délivrés",
            "les reconduites à la frontière",
            "les naturalisations",
            "l'aide médicale d'État",
        ],
    ),
    "education": (
        "Éducation",
        [
            "le nombre d'élèves par classe",
            "le salaire des enseignants",
            "les résultats au baccalauréat",
            "les postes non pourvus aux concours",
            "le niveau en mathématiques des collégiens",
        ],
    ),
    "defense": (
        "Défense",
        [
            "le budget des armées",
            "les livraisons d'armes à l'Ukraine",
            "les effectifs de la Marine",
            "la production d'obus de 155 millimètres",
            "les exportations de Rafale",
            "les exercices militaires en mer Baltique",
        ],
    ),
    "justice": (
        "Justice",
        [
            "le nombre de détenus",
            "la durée moyenne des procédures",
            "les effectifs de magistrats",
            "les plaintes pour cyberharcèlement",
            "la surpopulation carcérale",
        ],
    ),
    "international": (
        "International",
        [
            "l'aide humanitaire à Gaza",
            "les sanctions contre la Russie",
            "les exportations de céréales ukrainiennes",
            "le sommet du G20",
            "la coopération spatiale entre Moscou et Pyongyang",
            "les négociations sur le climat",
        ],
    ),
    "numerique": (
        "Numérique",
        [
            "la couverture en fibre optique",
            "les cyberattaques contre les hôpitaux",
            "le temps passé sur les écrans",
            "la fraude aux faux conseillers bancaires",
            "les données personnelles des usagers",
        ],
    ),
    "agriculture": (
        "Agriculture",
        [
            "les récoltes de blé",
            "le revenu des agriculteurs",
            "l'usage des pesticides",
            "les importations de poulet",
            "le prix du lait payé aux éleveurs",
        ],
    ),
}

PEOPLE = [
    ("Dmitri Peskov", "le porte-parole du Kremlin"),
    ("Camille Laurent", "la ministre du Travail"),
    ("Julien Moreau", "le ministre des Armées"),
    ("Sophie Martin", "la députée européenne"),
    ("Karim Benali", "le maire de Villeurbanne"),
    ("Élodie Garnier", "la présidente de région"),
    ("François Lemoine", "le sénateur de la Manche"),
    ("Nathalie Roux", "la porte-parole du gouvernement"),
    ("Hervé Dubois", "le secrétaire général du syndicat"),
    ("Inès Bertrand", "l'économiste"),
    ("Thomas Girard", "le chef de l'opposition"),
    ("Aïcha Diallo", "la directrice de l'agence régionale de santé"),
    ("Gérard Fontaine", "l'ancien Premier ministre"),
    ("Léa Mercier", "la candidate écologiste"),
    ("Vladimir Poutine", "le président russe"),
    ("Kim Jong-un", "le dirigeant nord-coréen"),
]
ORGANIZATIONS = [
    "l'Insee",
    "Météo-France",
    "la Commission européenne",
    "la Banque de France",
    "l'Organisation mondiale de la santé",
    "la préfecture de police",
    "la Cour des comptes",
    "l'Agence internationale de l'énergie",
    "le ministère de l'Intérieur",
    "l'Assemblée nationale",
    "le Conseil d'État",
    "la Caisse nationale d'assurance maladie",
    "l'Unédic",
    "le Kremlin",
    "l'Élysée",
    "Matignon",
    "Bruxelles",
    "la CGT",
    "le Medef",
    "l'ONU",
]
PUBLISHERS = [
    "Le Courrier du Soir",
    "La Dépêche de l'Est",
    "Les Nouvelles économiques",
    "Ouest Matin",
    "Le Journal des Territoires",
    "L'Hebdo numérique",
    "Radio Cité",
    "La Gazette du Rhône",
    "Le Quotidien de Bretagne",
    "Info Continue",
]
SAY = [
    "a affirmé",
    "a déclaré",
    "a assuré",
    "a estimé",
    "a rappelé",
    "a précisé",
    "a indiqué",
    "a reconnu",
    "a martelé",
    "a nuancé",
    "a démenti",
]
SAY_INVERTED = [
    "a-t-il affirmé",
    "a-t-elle déclaré",
    "a-t-il assuré",
    "a-t-elle estimé",
    "a-t-il rappelé",
    "a-t-elle précisé",
    "a-t-il reconnu",
    "a-t-elle martelé",
    "a-t-il ajouté",
    "a-t-elle insisté",
]
CHANGE = [
    "a augmenté de",
    "a baissé de",
    "a reculé de",
    "a progressé de",
    "a bondi de",
    "a chuté de",
    "aurait doublé en",
    "a stagné autour de",
    "dépasserait",
    "atteindrait",
]
WHEN = [
    "ce mardi",
    "ce vendredi matin",
    "lundi soir",
    "jeudi",
    "dimanche",
    "la semaine dernière",
    "lors d'une conférence de presse",
    "dans un communiqué publié mercredi",
    "au micro d'une radio locale",
    "sur le plateau d'une chaîne d'information",
    "devant les sénateurs",
    "à l'issue du conseil des ministres",
    "dans un entretien accordé au journal",
]
PERIOD = [
    "depuis 2019",
    "en un an",
    "sur les dix dernières années",
    "depuis le début du quinquennat",
    "entre 2015 et 2022",
    "au premier trimestre",
    "par rapport à l'an dernier",
    "en cinq ans",
    "depuis la crise sanitaire",
    "d'ici à 2030",
]
STATEMENTS = [
    "Aucun accord n'a été signé, et cela n'était pas prévu",
    "Nous n'avons jamais promis une telle baisse",
    "Les chiffres sont têtus, et ils nous donnent raison",
    "C'est exactement pour cela que nous sommes venus ici",
    "Il n'y a aucune raison de s'inquiéter à ce stade",
    "Ce n'est pas ce que disent les données officielles",
    "Nous allons aider à construire des satellites",
    "On ne peut pas laisser dire n'importe quoi sur ce sujet",
    "La situation s'est nettement améliorée depuis l'an dernier",
    "Ces mesures n'auront aucun effet sur le budget de l'État",
    "Personne ne conteste plus la réalité du phénomène",
    "Nous ne commentons pas des rumeurs de presse",
]
CONNECTORS = [
    "Pour l'heure,",
    "Pour rappel,",
    "Dans le détail,",
    "À titre de comparaison,",
    "En revanche,",
    "Selon nos informations,",
    "De son côté,",
    "Par ailleurs,",
    "Au même moment,",
    "Sur le terrain,",
]
QUESTIONS = [
    "Faut-il pour autant s'en inquiéter ?",
    "Qu'en est-il réellement ?",
    "Une annonce plus symbolique que concrète ?",
    "Le gouvernement a-t-il tenu parole ?",
    "Pourquoi un tel écart entre les chiffres ?",
]
CAUSES = [
    "à cause de la guerre en Ukraine",
    "grâce aux réformes engagées",
    "selon les chiffres du gouvernement",
    "malgré les promesses de campagne",
]


_PLAIN_QUOTES = str.maketrans({**dict.fromkeys("’‘‛ʼ", "'"), **dict.fromkeys("“”„", '"')})


def normalize(text: str) -> str:
    """The contract's quote normalization (team contract, "Quote normalization").

    Written out here rather than imported from the builder so that the corpus encodes the rule as
    the contract states it: a builder that drifts from the contract then fails on this corpus.
    """
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))
    return text.translate(_PLAIN_QUOTES)


def _slug(text: str, words: int = 6) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text)[:words])


def _typeset(text: str, style: dict) -> str:
    """French typography for one source: apostrophes, no-break spaces, guillemets."""
    if style["curly"]:
        text = text.replace("'", "’")
    if style["nbsp"]:
        thin = NNBSP if style["thin"] else NBSP
        text = (
            text.replace("« ", "«" + NBSP)
            .replace(" »", NBSP + "»")
            .replace(" :", NBSP + ":")
            .replace(" %", NBSP + "%")
            .replace(" ;", thin + ";")
            .replace(" !", thin + "!")
            .replace(" ?", thin + "?")
        )
    return text


def _figure(rng: random.Random, style: dict) -> str:
    if rng.random() < 0.5:
        return f"{rng.randint(1, 60)},{rng.randint(0, 9)} %"
    sep = NNBSP if style["nbsp"] and style["thin"] else (NBSP if style["nbsp"] else " ")
    amount = rng.randint(1, 999) * 1000 + rng.randint(0, 999)
    return f"{amount:,}".replace(",", sep) + rng.choice([" euros", " personnes", " tonnes", " cas"])


def _french_date(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def _random_date(rng: random.Random, first: date = date(2015, 1, 1), last: date = date(2025, 6, 30)) -> date:
    return first + timedelta(days=rng.randrange((last - first).days))


def _someone(rng: random.Random) -> str:
    if rng.random() < 0.6:
        name, role = rng.choice(PEOPLE)
        return rng.choice([f"{role}, {name}", role, name])
    return rng.choice(ORGANIZATIONS)


def _sentence(rng: random.Random, nouns: list[str], style: dict) -> str:
    noun = rng.choice(nouns)

    def moved() -> str:
        """What a figure did: "le déficit public a baissé de 3,2 % en un an" (drawn when used)."""
        return f"{noun} {_agree(rng.choice(CHANGE), noun)} {_figure(rng, style)} {rng.choice(PERIOD)}"

    kind = rng.randrange(9)
    if kind == 0:
        return f"« {rng.choice(STATEMENTS)} », {rng.choice(SAY_INVERTED)} {rng.choice(WHEN)}."
    if kind == 1:
        return f"{_cap(_someone(rng))} {rng.choice(SAY)} {rng.choice(WHEN)} que {moved()}."
    if kind == 2:
        return f"Selon {_someone(rng)}, {moved()}."
    if kind == 3:
        return (
            f"{rng.choice(CONNECTORS)} aucun accord n'a été conclu sur {noun} entre {_someone(rng)} et {_someone(rng)}."
        )
    if kind == 4:
        return f"Le constat est sans appel : {moved()}."
    if kind == 5:
        return (
            f"{rng.choice(QUESTIONS)} Les experts restent partagés ; certains parlent d'un « tournant », "
            "d'autres d'un simple effet de calendrier."
        )
    if kind == 6:
        return (
            f"{_cap(_someone(rng))} évoque « une possibilité » plutôt qu'une annonce, et rappelle que "
            f"{noun} {_agree('dépend', noun)} aussi de facteurs extérieurs."
        )
    if kind == 7:
        return f"« C'est inacceptable ! » {rng.choice(SAY_INVERTED)}, en dénonçant {noun}."
    return f"{rng.choice(CONNECTORS)} {noun} {_agree('reste', noun)} au cœur des discussions, {rng.choice(WHEN)}."


_PLURAL = {
    "a": "ont",
    "n'a": "n'ont",
    "aurait": "auraient",
    "dépasserait": "dépasseraient",
    "atteindrait": "atteindraient",
    "reste": "restent",
    "dépend": "dépendent",
}


def _agree(verb: str, noun: str) -> str:
    """The verb in the plural when its subject is ("les récoltes de blé a baissé" reads badly)."""
    if noun.split()[0] not in ("les", "des"):
        return verb
    first, _, rest = verb.partition(" ")
    return " ".join(filter(None, [_PLURAL[first], rest]))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _paragraph(rng: random.Random, nouns: list[str], style: dict) -> str:
    return " ".join(_sentence(rng, nouns, style) for _ in range(rng.randint(3, 6)))


def _headline(rng: random.Random, nouns: list[str]) -> str:
    noun = rng.choice(nouns)
    return rng.choice(
        [
            f"{_cap(noun)} : {rng.choice(ORGANIZATIONS)} {rng.choice(SAY)} une hausse de {rng.randint(2, 40)} %",
            f"{_cap(noun)} {rng.choice(PERIOD)} : ce que disent vraiment les chiffres",
            f"« {rng.choice(STATEMENTS)} » : {rng.choice(PEOPLE)[1]} s'explique sur {noun}",
        ]
    )


class _Text:
    """A source text being written, keeping the offsets of the paragraphs a quote may come from."""

    def __init__(self, style: dict, width: int | None):
        self.style, self.width = style, width
        self.text = ""
        self.paragraphs: list[tuple[int, int]] = []
        self.repeated: tuple[int, int] | None = None

    def add(self, block: str, sep: str = "\n\n", quotable: bool = False) -> tuple[int, int]:
        block = _typeset(block, self.style)
        if self.width and quotable:
            # textwrap breaks on ASCII white space only, so no-break spaces stay unbroken, as in print.
            block = textwrap.fill(block, self.width, break_long_words=False, break_on_hyphens=False)
        if self.text:
            self.text += sep
        start = len(self.text)
        self.text += block
        if quotable:
            self.paragraphs.append((start, len(self.text)))
        return start, len(self.text)


def _article(rng: random.Random, out: _Text, topic: str, until: int, first: bool) -> dict:
    """Append one article to `out`, paragraphs until the text reaches `until` bytes."""
    nouns = TOPICS[topic][1]
    style = out.style
    title = _typeset(_headline(rng, nouns), style)
    meta: dict = {"title": title, "first_line": title}
    out.add(title)
    if rng.random() < 0.7:
        author, publisher = rng.choice(PEOPLE)[0], rng.choice(PUBLISHERS)
        out.add(f"Par {author}, {publisher}", sep="\n")
        meta["author"], meta["publisher"] = author, _typeset(publisher, style)
    if rng.random() < 0.7:
        day = _random_date(rng)
        out.add(f"Publié le {_french_date(day)} à {rng.randint(6, 22)}h{rng.randint(0, 59):02d}", sep="\n")
        meta["published"] = day
    out.add(_paragraph(rng, nouns, style), quotable=True)
    if first:
        # Real articles repeat a key statement (in a photo caption, then in the body): the quotes
        # that cite the second one need `occurrence`.
        statement = f"« {rng.choice(STATEMENTS)} », {rng.choice(SAY)} {_someone(rng)}."
        out.add(statement)
        out.add(statement + " (Crédits : AFP)", sep="\n")
    while len(out.text.encode()) < until:
        roll = rng.random()
        if roll < 0.08:
            subject = _cap(rng.choice(nouns))
            angle = rng.choice(["le vrai du faux", "nos explications", "ce qui change au 1er janvier"])
            out.add(f"Lire aussi : {subject}, {angle}")
        elif roll < 0.12:
            out.add("\n".join(f"- {_cap(rng.choice(nouns))} : {_figure(rng, style)}" for _ in range(3)))
        elif roll < 0.15:
            out.add(f"{rng.randint(1, 4)}. {_cap(rng.choice(nouns))}, {rng.choice(PERIOD)}")
        else:
            start, _ = out.add(_paragraph(rng, nouns, style), quotable=True)
            if first and out.repeated is None and rng.random() < 0.5:
                out.repeated = out.add(statement, sep=" ", quotable=False)
                # The repeated statement ends the paragraph it was appended to.
                out.paragraphs[-1] = (start, out.repeated[1])
    if first and out.repeated is None:
        out.repeated = out.add(statement)
    return meta


def _source(rng: random.Random, index: int) -> dict:
    # Typography by index rather than at random, so that even a two-source corpus has both kinds.
    style = {
        "curly": index % 5 != 3,  # many sites use straight apostrophes
        "nbsp": index % 10 not in (3, 6, 9),  # and plain spaces before : ; ! ?
        "thin": index % 2 == 1,  # careful typesetting puts U+202F before ; ! ?
    }
    out = _Text(style, width=rng.choice([72, 78]) if index % 3 == 1 else None)
    topic = rng.choice(list(TOPICS))
    size = rng.randint(3000, 7500)  # bytes; the last paragraph overshoots by a few hundred
    count = rng.randint(2, 3) if rng.random() < 0.1 else 1
    articles = [
        _article(rng, out, topic if n == 0 else rng.choice(list(TOPICS)), size * (n + 1) // count, n == 0)
        for n in range(count)
    ]
    text = out.text + "\n"
    data = text.encode()
    entry: dict = {
        "id": f"{_slug(articles[0]['title'], 5)}-{index}",
        "file": f"{index:05d}_{hashlib.sha256(data).hexdigest()[:16]}.txt",
    }
    if count > 1:
        entry["articles"] = [
            {k: a[k] for k in ("title", "first_line", "author", "published") if k in a} for a in articles
        ]
    else:
        head = articles[0]
        entry["title"] = head["title"]
        entry.update({k: head[k] for k in ("publisher", "published", "author") if k in head})
        if "publisher" in head and rng.random() < 0.6:
            entry["url"] = f"https://www.example.org/{_slug(head['publisher'], 3)}/{_slug(head['title'], 8)}-{index}"
    entry["language"] = "fr"
    entry["sha256"] = hashlib.sha256(data).hexdigest()
    return {
        "entry": entry,
        "text": text,
        "data": data,
        "paragraphs": out.paragraphs,
        "repeated": out.repeated,
        "topic": topic,
    }


# How the editor typed a quote, by quote index: the first is copied verbatim, the others differ
# from the source in exactly what the normalizer has to bridge.
VARIANTS = ["verbatim", "apostrophe", "space", "line-break", "all"]


def _quote(rng: random.Random, src: dict, variant: str, span: tuple[int, int] | None = None) -> dict:
    text = src["text"]
    wanted = {"apostrophe": "’", "space": NBSP + NNBSP, "all": "’" + NBSP + NNBSP}.get(variant, "")
    for _attempt in range(30 if span is None else 1):
        if span is not None:
            start, end = span
        else:
            words = rng.choice(src["words"])  # every quotable paragraph has 20 words or more
            length = rng.randint(6, 20)
            first = rng.randrange(len(words) - length + 1)
            start, end = words[first][0], words[first + length - 1][1]
        # Try another span until it holds what the editor is to type differently.
        if not wanted or any(ch in text[start:end] for ch in wanted):
            break
    raw = text[start:end]
    # Editors re-join a hard-wrapped source line when they copy it.
    quote = raw.replace("\n", " ")
    if variant in ("apostrophe", "all"):
        quote = quote.replace("’", "'")
    if variant in ("space", "all"):
        quote = quote.replace(NBSP, " ").replace(NNBSP, " ")
    if variant in ("line-break", "all"):
        spaces = [i for i, ch in enumerate(quote) if ch == " "]
        if spaces:
            cut = spaces[len(spaces) // 2]
            quote = quote[:cut] + "\n" + quote[cut + 1 :]
    evidence: dict = {"source": src["entry"]["id"], "quote": quote}
    needle, haystack = normalize(quote), src["normalized"]
    found, at = [], haystack.find(needle)
    while at != -1:
        found.append(at)
        at = haystack.find(needle, at + 1)
    position = src["normalized_at"][start]
    assert position in found, (quote, src["entry"]["file"])
    # The builder warns about a quote that stands several times without `occurrence`: editors add it.
    if len(found) > 1:
        evidence["occurrence"] = found.index(position) + 1
    return evidence


def _index_words(src: dict) -> None:
    """Where quotes may start and end, and where each word start lands in the normalized text."""
    text = src["text"]
    src["normalized"] = normalize(text)
    words = [
        [
            (p_start + m.start(), p_start + m.end())
            for m in re.finditer(r"\S+", text[p_start:p_end])
            if any(ch.isalnum() for ch in m.group())
        ]
        for p_start, p_end in src["paragraphs"]
    ]
    src["words"] = [w for w in words if len(w) >= 20]
    # Normalizing the prefix before every quote would cost O(n^2): go from word start to word start,
    # each piece normalized on its own (a piece starts on a word, so no white-space run is cut in two).
    starts = sorted({a for words in src["words"] for a, _ in words} | {src["repeated"][0]})
    src["normalized_at"], done, length = {}, 0, 0
    for start in starts:
        length += len(normalize(text[done:start]))
        src["normalized_at"][start], done = length, start
    assert length == len(normalize(text[:done]))


def _summary(rng: random.Random, verdict: str, noun: str, claimant: str | None, figure: str) -> str:
    who = f"Contrairement à ce qu'affirme {claimant}, " if claimant and verdict in ("faux", "trompeur") else ""
    negated, has = _agree("n'a", noun), _agree("a", noun)
    first = {
        "faux": f"{who}les sources citées montrent que {noun} {negated} pas évolué dans ces proportions.",
        "trompeur": f"{who}l'ordre de grandeur est *exagéré* : {noun} {has} évolué, mais bien moins.",
        "non-prouve": f"Aucune des sources ne permet d'établir ce que l'on affirme sur {noun}.",
        "plutot-vrai": f"La tendance est juste pour {noun}, mais le chiffre avancé est *arrondi*.",
        "vrai": f"Les données publiées confirment l'évolution de {noun}.",
    }[verdict]
    extra = rng.choice(
        [
            "",
            " Une source évoque « une possibilité » là où une autre parle d'une annonce.",
            " Voir [les chiffres de l'Insee](https://www.insee.fr/fr/statistiques) pour la série complète.",
            " Les chiffres **officiels** restent provisoires.",
        ]
    )
    # The figure makes each summary its own text, as in a real archive (no two alike to cache).
    return (first + f" L'affirmation avance {figure}." + extra).replace("'", "’")


def _claim(rng: random.Random, index: int, sources: list[dict], quote_counter: list[int]) -> dict:
    home = sources[index % len(sources)]
    topics = [home["topic"]] + rng.sample([t for t in TOPICS if t != home["topic"]], rng.randint(0, 2))
    noun = rng.choice(TOPICS[topics[0]][1])
    person = rng.random() < 0.6
    claimant = (rng.choice(PEOPLE)[0] if person else _cap(rng.choice(ORGANIZATIONS))) if rng.random() < 0.85 else None
    figure = _figure(rng, {"nbsp": False, "thin": False})
    text = f"{_cap(noun)} {_agree(rng.choice(CHANGE), noun)} {figure} {rng.choice(PERIOD)}"
    if rng.random() < 0.4:
        text += ", " + rng.choice(CAUSES)
    text = (text + ".").replace("'", "’")
    verdict = rng.choices([r["id"] for r in RATINGS], VERDICT_WEIGHTS)[0]
    claim: dict = {"id": f"{_slug(text, 6)}-{index}", "claim": text}
    if len(text) >= 75:
        short = text
        while len(short) >= 75:
            short = short.rsplit(" ", 1)[0].rstrip(",")
        claim["claim_short"] = short + "…" if len(short) < 74 else short
    if claimant:
        claim["claimant"] = claimant.replace("'", "’")
        if rng.random() < 0.8:
            claim["claimant_type"] = "person" if person else "organization"
    claim_date = _random_date(rng) if rng.random() < 0.9 else None
    if claim_date:
        claim["claim_date"] = claim_date
    claim["verdict"] = verdict
    # Mid-sentence, an organisation keeps its lower-case article: "ce qu’affirme l’Insee".
    named = claimant if person or not claimant else claimant[:1].lower() + claimant[1:]
    claim["summary"] = _summary(rng, verdict, noun, named, figure)
    if rng.random() < 0.5:
        claim["analysis"] = (
            f"L’affirmation circule depuis {(claim_date or date(2020, 1, 1)).year} sur les réseaux sociaux. "
            f"Nous avons comparé le chiffre cité ({figure}) aux **données publiées** "
            f"par {rng.choice(ORGANIZATIONS)}.\n\n"
            f"{_cap(noun)} {_agree('dépend', noun)} de plusieurs facteurs ; "
            "la période choisie change fortement le résultat."
        ).replace("'", "’")
    claim["topics"] = topics
    reviewed = (claim_date + timedelta(days=rng.randint(1, 30))) if claim_date else _random_date(rng)
    claim["reviewed"] = reviewed
    if rng.random() < 0.1:
        claim["updates"] = [
            {
                "date": reviewed + timedelta(days=rng.randint(1, 60)),
                "note": "Ajout d’une source et précision du chiffre cité.",
            }
        ]
    evidence = []
    cited = [home] + [rng.choice(sources) for _ in range(2)]
    for n, src in enumerate(cited):
        variant = VARIANTS[quote_counter[0] % len(VARIANTS)]
        quote_counter[0] += 1
        # One claim in seven cites the repeated statement where it stands the second time.
        span = home["repeated"] if n == 2 and index % 7 == 3 else None
        item = _quote(rng, home if span else src, variant, span)
        item["stance"] = rng.choices(STANCES, STANCE_WEIGHTS[verdict])[0]
        if rng.random() < 0.2:
            item["note"] = rng.choice(
                [
                    "La source parle d’une *possibilité*, pas d’une annonce.",
                    "Chiffre repris sans indiquer sa source.",
                    "Contexte utile : la période de comparaison diffère.",
                ]
            )
        evidence.append(item)
    claim["evidence"] = evidence
    return claim


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    pass


def _block_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Editors write long Markdown as folded block scalars, and text with line breaks as literal ones.
    if "\n" in value:
        style = "|"
    elif len(value) > 70 and " " in value:
        style = ">"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _block_str)


def dump_yaml(data: dict, schema: str) -> str:
    """The YAML text for claims.yaml or sources.yaml; the benchmark's edit step reuses it."""
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return f"# yaml-language-server: $schema={schema}\n{body}"


def claims_schema_line() -> str:
    return "builder/claims.schema.json"


def _copy_site_config(root: Path) -> None:
    """mkdocs.yml and the hand-written pages of content/, as the project has them."""
    config = PROJECT / "mkdocs.yml"
    if config.exists():
        shutil.copyfile(config, root / "mkdocs.yml")
        # Hooks and theme overrides are paths relative to mkdocs.yml: make them resolve here too.
        for name in sorted(_config_folders(config)):
            if (PROJECT / name).is_dir() and not (root / name).exists():
                (root / name).symlink_to(PROJECT / name)
    else:
        # Until the project has its own configuration: what SPEC section 5 asks for.
        (root / "mkdocs.yml").write_text(
            "site_name: Vérifications (corpus de test)\n"
            "site_url: https://example.org/\n"
            "docs_dir: content\n"
            "theme:\n  name: material\n  language: fr\n"
            "plugins:\n  - search\n"
            "not_in_nav: |\n  /claims/\n  /sources/\n",
            encoding="utf-8",
        )
    content = root / "content"
    content.mkdir()
    for relative in _hand_written_pages():
        target = content / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT / "content" / relative, target)


def _config_folders(config: Path) -> set[str]:
    """Top folders of the project that mkdocs.yml points into, other than the docs and the seeds."""
    from mkdocs.utils.yaml import yaml_load  # MkDocs' loader, for its !ENV and !relative tags

    with open(config, encoding="utf-8") as file:
        data = yaml_load(file) or {}
    theme = data.get("theme") if isinstance(data.get("theme"), dict) else {}
    paths = [*(data.get("hooks") or []), *(data.get("watch") or []), theme.get("custom_dir") or ""]
    tops = {Path(p).parts[0] for p in paths if isinstance(p, str) and p and not Path(p).is_absolute()}
    return tops - {data.get("docs_dir", "docs"), "seeds", ".", ".."}


def _hand_written_pages() -> list[str]:
    """Files of content/ that are not build products: the ones git tracks or would track."""
    if not (PROJECT / "content").is_dir():
        return []
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "content"],
        cwd=PROJECT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted(path.removeprefix("content/") for path in listed.split("\0") if path)


def make_corpus(root: Path, n_claims: int, seed: int = 0) -> dict:
    """Write a corpus of n_claims claims and n_claims / 10 sources into root (created if needed).

    Returns figures about what was written (counts and sizes) for the benchmark to print.
    """
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    seeds = root / "seeds"
    seeds.mkdir()
    sources = [_source(rng, i) for i in range(max(1, n_claims // 10))]
    for src in sources:
        (seeds / src["entry"]["file"]).write_bytes(src["data"])
        _index_words(src)
    (seeds / "sources.yaml").write_text(
        dump_yaml({"sources": [src["entry"] for src in sources]}, "../builder/sources.schema.json"), encoding="utf-8"
    )
    counter = [0]
    claims = [_claim(rng, i, sources, counter) for i in range(n_claims)]
    data = {
        "ratings": RATINGS,
        "topics": [{"id": key, "label": label} for key, (label, _nouns) in TOPICS.items()],
        "claims": claims,
    }
    (root / "claims.yaml").write_text(dump_yaml(data, claims_schema_line()), encoding="utf-8")
    _copy_site_config(root)
    quotes = [e for c in claims for e in c["evidence"]]
    return {
        "claims": n_claims,
        "sources": len(sources),
        "quotes": len(quotes),
        "with_occurrence": sum("occurrence" in e for e in quotes),
        "seed_bytes": sum(len(s["data"]) for s in sources),
        "claims_yaml_bytes": (root / "claims.yaml").stat().st_size,
    }


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("-n", "--claims", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(json.dumps(make_corpus(args.root, args.claims, args.seed)))
