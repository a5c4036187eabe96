"""Talking like a person: plain questions and near-miss words, read into the one grammar.

The grammar (commands/grammar.py) decides what the commands are; this module only turns what
people actually type into those commands:

- ``nearest`` finds the command or option a mistyped word was meant to be ("caseloda" →
  "caseload"), so the user gets "did you mean …?" instead of every form of every command;
- ``read_question`` reads a plain question ("who can take a CP case?") as the command text it
  means ("/caseload capacity cp"). The reading is a fixed set of word rules, tried in order, so
  the same question always reads the same way and every reading is tested. A question that fits
  no rule reads as nothing (None): the caller shows the help rather than guessing, and an answer
  that was read from a question says which command it was read as.

Nothing here imports the grammar: the grammar calls in, and parses the text this returns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein

#: How many edits (a transposed pair counts as one) a word may be from the one meant.
SHORT_WORD_EDITS = 1  # words of up to 7 letters: "taem" → "team" (but "hello" is not "help")
LONG_WORD_EDITS = 2  # longer words: "unalocatd" → "unallocated"
SHORT_WORD_LETTERS = 7
#: A typed beginning of an option counts as meaning it ("unalloc" → "unallocated").
MIN_PREFIX_LETTERS = 3
#: A name in a question is at most this many words; more leftover words mean not understood.
MAX_NAME_WORDS = 4


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The one choice `word` is a slip of the keyboard away from, or None.

    Deterministic: the fewest edits wins, ties go to the earlier choice. A word that already is
    a choice is not a slip (None), so callers only ask about words they did not understand."""
    typed = word.strip().lstrip("/").casefold()
    if len(typed) < 2:
        return None
    options = list(choices)
    if typed in options:
        return None
    allowed = SHORT_WORD_EDITS if len(typed) <= SHORT_WORD_LETTERS else LONG_WORD_EDITS
    best: tuple[int, int] | None = None
    chosen: str | None = None
    for position, option in enumerate(options):
        edits = DamerauLevenshtein.distance(typed, option)
        if len(typed) >= MIN_PREFIX_LETTERS and option.startswith(typed):
            edits = min(edits, 1)
        if edits > allowed or edits >= len(option):
            continue
        if best is None or (edits, position) < best:
            best, chosen = (edits, position), option
    return chosen


# --- Reading a question ----------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_WORD = re.compile(r"[^\W\d_][\w'.\-]*|\d+", re.UNICODE)
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'.\-]*(?:['.\-][^\W\d_]+)*", re.UNICODE)

#: Words that open a question or a request: without one (or a "?"), text is not a question.
QUESTION_OPENERS = frozenset({
    "who", "whos", "what", "whats", "which", "how", "hows", "is", "are", "am", "does", "do",
    "did", "has", "have", "can", "could", "when", "where", "whose", "show", "list", "tell",
    "give", "any", "anyone", "i", "my", "whom", "should", "will", "would", "please", "get",
    "check", "see", "find", "let", "lets", "need", "want", "so", "and", "hey", "hi", "ok",
})

_CONTRACTED_IS = frozenset({"what", "who", "where", "how", "that", "it", "there", "here",
                            "when", "which"})

PROTECTION_WORDS = frozenset({"protected", "protection", "protect", "asye", "nqsw", "nqsws",
                              "newly", "ecdp"})
SUPERVISION_WORDS = frozenset({"supervision", "supervisions", "supervised", "supervise",
                               "supervising"})
ACTION_WORDS = frozenset({"action", "actions", "improvement", "audit", "audits"})
CASELOAD_WORDS = frozenset({"caseload", "caseloads", "cases", "case", "workload", "workloads",
                            "load", "loads", "busy", "holding", "hold", "holds", "carrying",
                            "allocated", "allocation", "allocations", "overloaded",
                            "overworked", "cap", "caps"})
OVERDUE_WORDS = frozenset({"overdue", "late", "behind", "missed", "lapsed", "slipping",
                           "slipped"})
CAPACITY_WORDS = frozenset({"capacity", "headroom", "room", "space", "spare"})
TAKE_WORDS = frozenset({"take", "pick", "allocate", "give", "assign"})
UNALLOCATED_WORDS = frozenset({"unallocated", "unassigned", "unallocate"})
GROUP_WORDS = frozenset({"team", "teams", "everyone", "everybody", "all", "anyone", "nqsws",
                         "which", "who", "whos", "breach", "breaches", "breaching", "breached",
                         "staff"})
SELF_WORDS = frozenset({"i", "me", "my", "mine", "myself", "am"})

CASE_TYPE_WORDS = {"cp": "cp", "cin": "cin", "lac": "lac", "cla": "lac", "cpp": "cp"}
CASE_TYPE_PHRASES = (
    (("child", "protection"), "cp"),
    (("children", "in", "need"), "cin"),
    (("child", "in", "need"), "cin"),
    (("looked", "after"), "lac"),
    (("in", "care"), "lac"),
)
HELP_PHRASES = (
    ("what", "can", "you", "do"), ("what", "can", "i", "ask"), ("what", "do", "you", "do"),
    ("how", "do", "i", "use"), ("what", "are", "the", "commands"), ("help",),
    ("what", "commands"), ("how", "does", "this", "work"),
)
NO_WORKER_PHRASES = (
    ("no", "social", "worker"), ("no", "worker"), ("without", "a", "social", "worker"),
    ("without", "a", "worker"), ("not", "allocated"), ("waiting", "for", "a", "worker"),
    ("waiting", "for", "a", "social", "worker"), ("nobody", "holds"), ("no", "one", "holds"),
    ("not", "been", "allocated"), ("no", "allocated"), ("no", "lead"),
    ("waiting", "for", "allocation"), ("need", "allocating"), ("need", "allocation"),
)
PAST_DUE_PHRASES = (("past", "due"), ("out", "of", "date"), ("not", "done", "in", "time"),
                    ("not", "been", "visited"), ("not", "visited"))

#: Words of a question that are not a name: question words, the bot's own vocabulary, and
#: everyday glue. What is left after removing them is the person asked about.
NOT_NAMES = frozenset({
    *QUESTION_OPENERS, *PROTECTION_WORDS, *SUPERVISION_WORDS, *ACTION_WORDS, *CASELOAD_WORDS,
    *OVERDUE_WORDS, *CAPACITY_WORDS, *TAKE_WORDS, *UNALLOCATED_WORDS, *GROUP_WORDS, *SELF_WORDS,
    *CASE_TYPE_WORDS,
    "many", "much", "number", "whats", "was", "were", "been", "being", "be", "got", "gotten",
    "had", "the", "a", "an", "of", "for", "in", "on", "at", "to", "with", "by", "about", "from",
    "we", "our", "us", "you", "your", "their", "them", "they", "he", "she", "his", "her",
    "hers", "him", "it", "its", "this", "that", "these", "those", "there", "here", "now",
    "currently", "current", "today", "right", "still", "year", "years", "first", "new",
    "another", "more", "one", "ones", "child", "children", "need", "protection", "looked",
    "after", "care", "not", "no", "yet", "up", "out", "date", "due", "past", "visit",
    "visits", "visiting", "visited", "review", "reviews", "plan", "plans", "open", "at",
    "moment", "anything", "something", "what", "status", "look", "looking", "like", "doing",
    "going", "okay", "ok", "free", "able", "enough", "too", "over", "cap", "under", "time",
    "qualified", "social", "worker", "workers", "practitioner", "practitioners", "people",
    "person", "nqsw", "on", "track", "kept", "keeping", "being", "fine", "safe", "if",
    "whether", "tell", "know", "me", "please", "thanks", "thank", "quickly", "just",
    "left", "right", "total", "each", "every", "per", "week", "month", "today", "them",
    "lead", "leads", "leading", "co-work", "co-working", "most", "least", "highest", "lowest",
})


@dataclass(frozen=True)
class _Words:
    """A question as words: lower-cased for reading, and as typed for names and teams."""

    lower: tuple[str, ...]
    typed: tuple[str, ...]

    def has(self, *words: str) -> bool:
        return any(word in self.lower for word in words)

    def has_any(self, words: frozenset[str]) -> bool:
        return not words.isdisjoint(self.lower)

    def has_phrase(self, phrase: Sequence[str]) -> bool:
        size = len(phrase)
        return any(tuple(self.lower[start:start + size]) == tuple(phrase)
                   for start in range(len(self.lower) - size + 1))

    def has_any_phrase(self, phrases: Iterable[Sequence[str]]) -> bool:
        return any(self.has_phrase(phrase) for phrase in phrases)


def _words_of(text: str) -> _Words:
    """Split into words, opening contractions (what's → what is, isn't → is not, Zoe's → Zoe)."""
    lower: list[str] = []
    typed: list[str] = []
    for match in _WORD.finditer(text.translate(_APOSTROPHES)):
        word = match.group().strip(".-'")
        if not word:
            continue
        folded = word.casefold()
        extra: list[tuple[str, str]] = []
        if folded.endswith("n't"):
            word, folded = word[:-3], folded[:-3]
            extra.append(("not", "not"))
        elif folded.endswith("'s"):
            word, folded = word[:-2], folded[:-2]
            if folded in _CONTRACTED_IS:
                extra.append(("is", "is"))
        elif folded.endswith("'re") or folded.endswith("'ve") or folded.endswith("'ll"):
            word, folded = word[:-3], folded[:-3]
        elif folded == "i'm":
            word, folded = "I", "i"
            extra.append(("am", "am"))
        elif folded.endswith("s'"):  # plural possessive: "NQSWs'"
            word, folded = word[:-1], folded[:-1]
        if folded in {"ca", "wo", "do", "does", "did", "has", "have", "is", "are"} and extra:
            folded = {"ca": "can", "wo": "will"}.get(folded, folded)
        lower.append(folded)
        typed.append(word)
        for plain_word, shown in extra:
            lower.append(plain_word)
            typed.append(shown)
    return _Words(tuple(lower), tuple(typed))


def looks_like_a_question(text: str) -> bool:
    """A question mark, or a question or request word first: only then is text read."""
    words = _words_of(text)
    return text.rstrip().endswith("?") or bool(words.lower and words.lower[0] in
                                              QUESTION_OPENERS)


def _case_type(words: _Words) -> str | None:
    for phrase, case_type in CASE_TYPE_PHRASES:
        if words.has_phrase(phrase):
            return case_type
    for word in words.lower:
        if word in CASE_TYPE_WORDS:
            return CASE_TYPE_WORDS[word]
    return None


def _team_name(words: _Words) -> str | None:
    """"team Assessment North" or "the Assessment North team": the words that name the team.

    "my team", "our team" and "the team" name the asker's own scope, so they are no name."""
    for position, word in enumerate(words.lower):
        if word != "team":
            continue
        after = []
        for typed, lower in zip(words.typed[position + 1:], words.lower[position + 1:]):
            if lower in NOT_NAMES:
                break
            after.append(typed)
        if after:
            return " ".join(after)
        before = []
        for typed, lower in zip(reversed(words.typed[:position]),
                                reversed(words.lower[:position])):
            if lower in NOT_NAMES or not typed[:1].isupper():
                break
            before.insert(0, typed)
        if before:
            return " ".join(before)
    return None


def _name(words: _Words, team: str | None) -> str | None:
    """The person a question is about: its words that are not question words or the bot's
    vocabulary. None when there is no one, or too much is left to be a name."""
    team_words = set((team or "").casefold().split())
    left = [typed for typed, lower in zip(words.typed, words.lower)
            if lower not in NOT_NAMES and lower not in team_words]
    if not left or len(left) > MAX_NAME_WORDS:
        return None
    if not all(_NAME_WORD.fullmatch(word) for word in left):
        return None
    return " ".join(left)


def _leftover_words(words: _Words, team: str | None) -> int:
    team_words = set((team or "").casefold().split())
    return sum(1 for lower in words.lower if lower not in NOT_NAMES and lower not in team_words)


def read_question(text: str, verb: str | None = None) -> str | None:
    """The command a plain question means, as the text a user could have typed, or None.

    The rules run in this order, the first that fits wins: help; supervision; actions; NQSW
    protection; capacity; unallocated cases; overdue visits and reviews; caseloads. Where a rule
    needs a person or team, the words left over name them. `verb`, when the question came
    after a command word ("/caseload how many has Zoe got?"), is read as one of its words."""
    if not looks_like_a_question(text):
        return None
    words = _words_of(f"{verb} {text}" if verb else text)
    if not words.lower:
        return None
    team = _team_name(words)
    name = _name(words, team)
    unread = _leftover_words(words, team) > 0 and name is None

    if words.has_any_phrase(HELP_PHRASES) and not words.has_any(
            CASELOAD_WORDS | ACTION_WORDS | PROTECTION_WORDS | SUPERVISION_WORDS):
        return "help"
    if unread:
        return None
    if words.has_any(SUPERVISION_WORDS):
        return "/supervision"
    if words.has_any(ACTION_WORDS) or (words.has("plan", "plans") and not words.has(
            "case", "cases", "review", "reviews")):
        if words.has_any(OVERDUE_WORDS) or words.has_any_phrase(PAST_DUE_PHRASES):
            return "/actions overdue"
        if words.has_any(SELF_WORDS) or words.has("own", "owe"):
            return "/actions mine"
        return "/actions"
    about_protection = words.has_any(PROTECTION_WORDS - {"protection"}) or (
        words.has("protection") and not words.has_phrase(("child", "protection")))
    if about_protection:
        if name:
            return f"/protected {name}"
        if team:
            return f"/protected team {team}"
        if words.has_any(GROUP_WORDS - {"who", "whos"}) or words.has("nqsws") or (
                words.has("who", "whos") and not words.has_any(SELF_WORDS)):
            return "/protected team"
        return "/protected"
    case_type = _case_type(words)
    wants_capacity = words.has_any(CAPACITY_WORDS) or (
        words.has_any(TAKE_WORDS) and (words.has("case", "cases", "another", "new", "referral")
                                       or case_type is not None)) or (
        words.has("free") and words.has("who", "whos", "anyone", "any"))
    if wants_capacity and not name:
        return f"/caseload capacity {case_type}" if case_type else "/caseload capacity"
    if words.has_any(UNALLOCATED_WORDS) or words.has_any_phrase(NO_WORKER_PHRASES):
        return "/caseload unallocated"
    if words.has_any(OVERDUE_WORDS) or words.has_any_phrase(PAST_DUE_PHRASES):
        return "/caseload overdue"
    if words.has_any(CASELOAD_WORDS) or words.has_phrase(("how", "many")):
        if name:
            return f"/caseload {name}"
        if team:
            return f"/caseload team {team}"
        return "/caseload"
    return None


__all__ = ["looks_like_a_question", "nearest", "read_question"]
