"""The words of a search, as typed by anyone: folded (no accent, lower case), stripped of
control characters and punctuation around them, French stop words dropped, bounded in number.

The same folding is applied to the texts searched (in SQL, see `matching.py`), so « énergie »,
« ENERGIE » and « energie » are one word.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from teritoire.text import strip_control_characters

MAX_LENGTH = 200  # characters of the query read; beyond, the rest is ignored (and said so)
MAX_TERMS = 8
# Letters and digits, with dots and hyphens inside a word (« 2.3 », « saint-avertin »).
WORD = re.compile(r"[^\W_]+(?:[.\-][^\W_]+)*")
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "’": "'", "ʼ": "'"})

# PostgreSQL's French stop words (tsearch_data/french.stop), folded, plus « a » (« à » folded):
# dropped from a query on both databases, so both find the same rows.
_STOP_WORDS = """
    a au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me meme
    mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes
    toi ton tu un une vos votre vous c d j l m n s t y ete etee etees etes etant etante etants
    etantes suis es est sommes sont serai seras sera serons serez seront serais serait serions
    seriez seraient etais etait etions etiez etaient fus fut fumes futes furent sois soit
    soyons soyez soient fusse fusses fussions fussiez fussent ayant ayante ayantes ayants eu
    eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais aurait
    aurions auriez auraient avais avait avions aviez avaient eut eumes eutes eurent aie aies
    ait ayons ayez aient eusse eusses eussions eussiez eussent
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

# Endings removed from a word before it is looked for in a text on SQLite (which has no French
# stemmer) and when marking the words found: « recrutement » also finds « recruter ». Longest
# first; a stem keeps at least STEM_MIN_LENGTH letters.
_SUFFIXES = """
    ements ement ations ation ateurs ateur atrices atrice euses euse ences ence ances ance
    ismes isme istes iste iques ique ites ite ments ment ives ive eaux aux ions ion ies ie ees ee er
    ez es e s
"""
SUFFIXES = sorted(_SUFFIXES.split(), key=len, reverse=True)
STEM_MIN_LENGTH = 4


def fold(text):
    """Lower case without accents: « Énergie Œuvre » → « energie oeuvre »."""
    text = text.lower().translate(LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def strip_invisible(text):
    """Without control characters nor invisible format ones (a right-to-left override…)."""
    text = strip_control_characters(text)
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def stem(word):
    """A light French stem of a folded word, for a substring match (see SUFFIXES)."""
    if not word.isalpha():
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= STEM_MIN_LENGTH:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Query:
    """A cleaned search: `text` to show back, `terms` to match (folded words), and whether
    some of what was typed was left out (too long, too many words)."""

    text: str = ""
    terms: tuple = ()
    truncated: bool = False
    stems: tuple = field(default=(), compare=False)

    def __bool__(self):
        return bool(self.terms)

    @property
    def tsquery(self):
        """The terms as a PostgreSQL `to_tsquery` text: every word, each as a prefix. Safe:
        a term holds only letters, digits, inner dots and hyphens (see WORD)."""
        return " & ".join(f"'{term}':*" for term in self.terms)


def parse(raw):
    """The Query for what a visitor typed (any string, hostile ones included)."""
    raw = raw or ""
    truncated = len(raw) > MAX_LENGTH
    text = " ".join(strip_invisible(raw[:MAX_LENGTH]).split())
    words = []
    for word in WORD.findall(fold(text)):
        # A single letter would match nearly every text; a single digit is kept (« 1 »).
        meaningful = len(word) > 1 or word.isdigit()
        if meaningful and word not in STOP_WORDS and word not in words:
            words.append(word)
    truncated = truncated or len(words) > MAX_TERMS
    terms = tuple(words[:MAX_TERMS])
    return Query(text, terms, truncated, tuple(stem(term) for term in terms))
