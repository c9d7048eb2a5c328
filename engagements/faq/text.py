"""Text normalisation shared by the search (both backends) and the stored search text."""

from __future__ import annotations

import re
import unicodedata

# Letters and digits of any script: a search typed in Ukrainian or Arabic finds the
# answers translated into it (content_language).
WORD = re.compile(r"[^\W_]+")
# Short French and English words that carry no meaning in a search.
STOPWORDS = set(
    "a au aux avec ce ces dans de des du elle en est et il je la le les leur mais me mon ne "
    "nous on ou par pas pour qu que qui sa se ses son sur ta te un une vos votre vous y "
    "an and are can do does for how i in is it my of on or the to what when where which "
    "who with you your".split()
)


def normalise(text: str) -> str:
    """Case-folded, accent-free text: "Récépissé" -> "recepisse"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Meaningful normalised words of a query (stopwords and one-letter words dropped)."""
    return [w for w in WORD.findall(normalise(text)) if len(w) > 1 and w not in STOPWORDS]


def stem(word: str) -> str:
    """Crude plural folding for the SQLite fallback: "cartes" -> "carte"."""
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word
